"""Which scan tasks belong together on one worker process.

A Terraform module that calls local modules (``source = "../../modules/x"``) parses their folders
too, and a worker keeps every folder it parsed for the rest of the run. Tasks that reach the same
folders therefore run on one worker, so that each folder is parsed once rather than once per worker
(on a real tree, one example calling every module of its repository is common). The calls are found
with a regular expression over the text, without parsing: a guess, which only affects speed.
"""
from __future__ import annotations

import os
import re
from typing import Any, Sequence

from .discover import TERRAFORM_SUFFIXES
from .load.errors import LoadError
from .load.text import read_text

_LOCAL_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.\.?/[^"$]*)\"""")


def task_groups(tasks: Sequence[Any]) -> list[list[int]]:
    """Indices of ``tasks`` grouped by the local module folders they reach (each group in task order;
    a document or a Terraform module calling no local module is a group of its own)."""
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    sources: dict[str, list[str]] = {}
    for index, task in enumerate(tasks):
        find(index)
        if task.kind != "terraform" or not task.candidates:
            continue
        folder = os.path.realpath(os.path.dirname(task.candidates[0].path) or ".")
        parent[find(index)] = find(folder)
        for reached in _reached_folders(folder, sources):
            parent[find(reached)] = find(folder)
    groups: dict[Any, list[int]] = {}
    for index in range(len(tasks)):
        groups.setdefault(find(index), []).append(index)
    return list(groups.values())


def _reached_folders(folder: str, sources: dict[str, list[str]], limit: int = 200) -> list[str]:
    """Local module folders called from ``folder``, transitively (at most ``limit``); ``sources``
    remembers each folder's calls."""
    seen, stack = {folder}, [folder]
    while stack and len(seen) < limit:
        current = stack.pop()
        if current not in sources:
            sources[current] = _local_sources(current)
        for source in sources[current]:
            target = os.path.realpath(os.path.join(current, source))
            if target not in seen:
                seen.add(target)
                stack.append(target)
    seen.discard(folder)
    return sorted(seen)


def _local_sources(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        if name.endswith(TERRAFORM_SUFFIXES):
            try:
                out.extend(_LOCAL_SOURCE.findall(read_text(os.path.join(folder, name))))
            except LoadError:  # reported when the file is linted
                continue
    return out
