"""Findings: what a scan reports."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from .load.located import Span

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
SEVERITIES = tuple(SEVERITY_RANK)
RULE_ID = re.compile(r"PL\d{4}")  # a rule id (use fullmatch)
MAX_MESSAGE = 1_000  # characters of one finding's message (and element path); the rest is cut, saying so


def cap_message(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to about ``limit`` characters, with a marker saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters not shown]"


@dataclass
class Suppression:
    """Why a finding is not counted: ``kind`` is ``inSource`` (comment, template Metadata) or
    ``external`` (config file, baseline)."""

    kind: str
    justification: str
    source: str


class Related(NamedTuple):
    """A place a finding's value came through (a variable's default, a tfvars entry, a parameter's
    Default), or the resource that uses a value written elsewhere; ``text`` says which."""

    file: str
    span: Span
    text: str


@dataclass
class Finding:
    """One rule violation at one place."""

    rule_id: str
    severity: str
    message: str
    file: str
    span: Span
    resource: str = ""
    element: str = ""  # the offending element's path inside the resource (line-independent)
    meaning: str | None = None  # the offending element by content (see evaluate.engine.meaning); default: element
    suppression: Suppression | None = None
    baseline_state: str | None = None
    # Findings of other rules on the same element that this one replaces (its rule ``supersedes``
    # them): one problem, one finding. A suppression of any of their rules suppresses this one.
    superseded: list["Finding"] = field(default_factory=list)
    callers: list[str] = field(default_factory=list)  # other module instances that reach the same element
    related: tuple[Related, ...] = ()  # where its value came from, nearest first
    shared: bool = False  # its place is written once for several resources (SAM Globals): see scan.merge_shared

    @property
    def files(self) -> set[str]:
        """The file of the finding and of every place its value came through."""
        return {self.file, *(r.file for r in self.related)}

    def __post_init__(self) -> None:
        # Messages echo values from the input; a value built to be huge must not make a huge report.
        self.message = cap_message(self.message)
        self.element = cap_message(self.element)

    def sort_key(self) -> tuple:
        return (self.file, self.span.line, self.span.col, self.rule_id, self.message)

    def identity(self) -> tuple:
        """What makes two findings the same one: rule, place and message."""
        return (self.rule_id, self.file, self.span[:4], self.message)

    def replaced(self) -> list["Finding"]:
        """The findings this one supersedes, directly or through another."""
        return [g for f in self.superseded for g in (f, *f.replaced())]

    @property
    def active(self) -> bool:
        """Counted and reported: neither suppressed nor recorded in the baseline."""
        return self.suppression is None and self.baseline_state != "unchanged"

    @property
    def fingerprint(self) -> str:
        """What the finding is about, not where it is: rule, file, resource address (positions in
        it left out) and the offending element's content. Stable when lines shift, statements are
        inserted or resources reordered; changed when the offending content changes."""
        address = _POSITION.sub("[]", self.resource)
        meaning = self.element if self.meaning is None else self.meaning
        text = "\x1f".join((FINGERPRINT_VERSION, self.rule_id, self.file, address, meaning))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


FINGERPRINT_VERSION = "2"
_POSITION = re.compile(r"\[\d+\]")  # a list position inside a resource address: Policies[0]
