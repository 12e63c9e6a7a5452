"""Where a scan may read the files that what it read leads to.

The paths a user names are the user's choice. Every other path policylint opens because of
something it read — a module ``source``, a ``Dir`` in ``.terraform/modules/modules.json``, a
``terraform.tfvars`` or ``*.auto.tfvars``, a ``file()`` or ``templatefile()`` argument, a symbolic
link of any kind — is resolved (``realpath``) and must lie inside the scan root: the scanned paths,
and the current folder when they are inside it. ``file()`` and ``templatefile()`` never read a
hidden file or folder (``.git/config`` holds the token ``actions/checkout`` writes), except the
modules Terraform downloads under ``.terraform/modules``. A path refused is not read; the caller
reports why at the line that referred to it (``PL0002``).
"""
from __future__ import annotations

import os
from typing import Iterable

DOWNLOADED_MODULES = (".terraform", "modules")  # the one hidden folder file() may read from


def inside(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or lies under it (both absolute and normalised)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class Confinement:
    """The scan root (see the module docstring) and the test every followed path must pass."""

    def __init__(self, roots: Iterable[str]):
        self.roots = sorted({os.path.realpath(r) for r in roots}, key=len, reverse=True)

    @classmethod
    def of_scan(cls, paths: Iterable[str], cwd: str) -> "Confinement":
        """The scan root of a run over ``paths`` started in ``cwd``."""
        cwd_real = os.path.realpath(cwd)
        roots = []
        for path in paths:
            real = os.path.realpath(path)
            roots.append(real if os.path.isdir(real) else os.path.dirname(real))
        if not roots or any(inside(r, cwd_real) for r in roots):
            roots.append(cwd_real)
        return cls(roots)

    def refusal(self, path: str, hidden: bool = True) -> str | None:
        """Why ``path`` may not be read (``None`` when it may). ``hidden``: whether a hidden file
        or folder inside the root may be read (never through ``file()``)."""
        real = os.path.realpath(path)
        root = next((r for r in self.roots if inside(real, r)), None)
        if root is None:
            linked = os.path.abspath(path) != real and any(inside(os.path.abspath(path), r) for r in self.roots)
            return ("a symbolic link leads outside the scanned tree" if linked else "it lies outside the scanned tree")
        if not hidden:
            parts = os.path.relpath(real, root).split(os.sep)
            for i, part in enumerate(parts):
                if part.startswith(".") and part != "." and tuple(parts[i:i + 2]) != DOWNLOADED_MODULES:
                    return "it is a hidden file or lies in a hidden folder"
        return None


GRAM = 12  # a run this long shared with a file read by file() is that file's content
MAX_REDACTED_TEXT = 262_144  # characters of file() content looked for in messages, per task
EXCERPT = 4


def redactor(texts: Iterable[tuple[str, str]]):
    """A function ``redact(message, file)`` that rewrites a finding's message so that content of
    ``texts`` (``(file, text)`` that ``file()`` and ``templatefile()`` read) appears only as a
    short marked excerpt: a message may echo a value, and a value read from a file may be a secret
    the repository did not mean to print. A finding located in the file read itself (a policy
    document's statement) is left as it is: it points the reader to that file anyway."""
    grams: dict[str, set[str]] = {}
    budget = MAX_REDACTED_TEXT
    for file, text in texts:
        text = text[:budget]
        budget -= len(text)
        grams.setdefault(file, set()).update(text[i:i + GRAM] for i in range(len(text) - GRAM + 1))
        if budget <= 0:
            break

    def redact(message: str, file: str) -> str:
        if len(message) < GRAM:
            return message
        others = [g for name, g in grams.items() if name != file]
        if not others:
            return message
        covered = [False] * len(message)
        for i in range(len(message) - GRAM + 1):
            gram = message[i:i + GRAM]
            if any(gram in g for g in others):
                covered[i:i + GRAM] = [True] * GRAM
        out, i = [], 0
        while i < len(message):
            if not covered[i]:
                out.append(message[i])
                i += 1
                continue
            j = i
            while j < len(message) and covered[j]:
                j += 1
            out.append(f"{message[i:i + EXCERPT]}…[{j - i} characters read by file() not shown]")
            i = j
        return "".join(out)

    return redact


def controlled_link(path: str, confinement: Confinement) -> str | None:
    """The first symbolic link on the way to ``path`` (the file itself included) that lies inside
    the scan root, whose content therefore decides where ``path`` leads: a report written through
    it could land anywhere the scanned tree chooses. ``None`` when there is none."""
    absolute = os.path.abspath(path)
    parts = absolute.split(os.sep)
    for i in range(2, len(parts) + 1):
        step = os.sep.join(parts[:i]) or os.sep
        if not os.path.islink(step):
            continue
        where = os.path.join(os.path.realpath(os.path.dirname(step)), os.path.basename(step))
        if any(inside(where, root) for root in confinement.roots):
            return step
    return None
