"""A SAM resource's ``Policies`` into the ``Policies`` and ``ManagedPolicyArns`` of the role SAM
generates for it.

``Policies`` is one entry or a list of them; each entry is, as SAM decides it:

- a string: an AWS managed policy, by ARN or by bare name (written ``arn:aws:iam::aws:policy/NAME``,
  located at the name, the form the managed-policy catalogue looks up);
- an intrinsic function (``!Ref``, ``!Sub``, ``!ImportValue``…): a managed policy ARN;
- a mapping with ``Statement``: an inline policy document, kept as written;
- a mapping with one key naming a SAM policy template (``S3ReadPolicy: {BucketName: !Ref B}``):
  the statements SAM generates from the template (data from aws-sam-translator, see
  ``tools/gen_sam_policy_templates.py``), located at the template's name, with the parameter
  values located where they were written;
- ``!If [cond, a, b]`` of any of these: each branch converted, the ``!If`` kept.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from ...load.located import At, LocDict, LocList, Span, build

MANAGED_ARN = "arn:aws:iam::aws:policy/"


@functools.lru_cache(maxsize=1)
def policy_templates() -> dict[str, Any]:
    """The SAM policy templates by name (``{Parameters: [names], Definition: {...}}``)."""
    text = (resources.files(__package__) / "policy_templates.json").read_text(encoding="utf-8")
    return json.loads(text)["Templates"]


class RolePolicies:
    """What the entries of one ``Policies`` property add to a generated role."""

    def __init__(self, role: str):
        self.role = role
        self.inline: list[Any] = []  # {PolicyName, PolicyDocument} entries (or !If of them)
        self.managed: list[Any] = []  # ARNs (or !If of them), located

    def add_all(self, policies: Any, span: Span) -> None:
        """Every entry of a ``Policies`` value located at ``span``."""
        if policies is None:
            return
        if isinstance(policies, LocList):
            for i, entry in enumerate(policies):
                self.add(entry, policies.span_of(i), i)
        else:
            self.add(policies, span, 0)

    def add(self, entry: Any, span: Span, index: int) -> None:
        kind, value = self._convert(entry, span)
        if kind == "managed":
            self.managed.append(value)
        elif kind == "document":
            name = At(f"{self.role}Policy{index}", span)
            self.inline.append(_if_map(value, lambda doc, s: build({"PolicyName": name, "PolicyDocument": doc}, s), span))

    def _convert(self, entry: Any, span: Span) -> tuple[str, Any]:
        """``(managed | document | unknown, located value)``."""
        if isinstance(entry, str):
            arn = entry if entry.startswith("arn:") else MANAGED_ARN + entry
            return "managed", At(arn, span)
        if not isinstance(entry, LocDict):
            return "unknown", None
        if _is_if(entry):
            branches = entry["Fn::If"]
            converted = [self._convert(b, branches.span_of(i + 1)) for i, b in enumerate(branches[1:3])]
            kinds = {k for k, _ in converted if k != "novalue"}
            if len(kinds) != 1:
                return "unknown", None
            out = LocList(branches.span)
            out.add(branches[0], branches.span_of(0))
            for i, (kind, value) in enumerate(converted):
                out.add(build(value, branches.span_of(i + 1)), branches.span_of(i + 1))
            return kinds.pop(), build({"Fn::If": out}, entry.span)
        if entry.get("Ref") == "AWS::NoValue" and len(entry) == 1:
            return "novalue", entry
        if _is_intrinsic(entry):
            return "managed", entry
        if "Statement" in entry:
            return "document", entry
        if len(entry) == 1:
            (name, params), = entry.items()
            template = policy_templates().get(name) if isinstance(name, str) else None
            if template is not None:
                return "document", expand_template(template, params, entry.key_span_of(name))
        return "unknown", None


def expand_template(template: dict[str, Any], params: Any, span: Span) -> LocDict:
    """A policy template's document: its ``Ref``s to template parameters replaced by the values
    given (located where written), everything else located at the template's name ``span``."""
    names = set(template["Parameters"])
    given = params if isinstance(params, LocDict) else LocDict(span)

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1 and isinstance(value.get("Ref"), str) and value["Ref"] in names:
                name = value["Ref"]
                if name not in given:
                    return {"Ref": name}  # SAM rejects a missing parameter; leave it unresolved
                found = given[name]
                return found if isinstance(found, (LocDict, LocList)) else At(found, given.span_of(name))
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    # SAM writes the document without a Version; its templates use no policy variables, so the
    # current version says the same and no finding about the version lands on a template's name.
    return build(dict({"Version": "2012-10-17"}, **fill(template["Definition"])), span)


def _is_if(value: LocDict) -> bool:
    return len(value) == 1 and isinstance(value.get("Fn::If"), LocList) and len(value["Fn::If"]) == 3


def _is_intrinsic(value: LocDict) -> bool:
    return len(value) == 1 and any(k == "Ref" or str(k).startswith("Fn::") for k in value)


def _if_map(value: Any, wrap: Any, span: Span) -> Any:
    """``wrap`` applied to a document, or to each document branch of an ``!If``."""
    if isinstance(value, LocDict) and _is_if(value):
        branches = value["Fn::If"]
        out = LocList(branches.span)
        out.add(branches[0], branches.span_of(0))
        for i in (1, 2):
            branch = branches[i]
            novalue = isinstance(branch, LocDict) and branch.get("Ref") == "AWS::NoValue"
            out.add(branch if novalue else wrap(branch, branches.span_of(i)), branches.span_of(i))
        return build({"Fn::If": out}, value.span)
    return wrap(value, span)
