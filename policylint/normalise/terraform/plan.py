"""The JSON of ``terraform show -json`` (a plan) into the resource model.

Every resource of ``planned_values`` — the root module's and each child module's — becomes the
same model the ``.tf`` evaluation gives (``facets.py``); findings point into the plan file. Values
a plan does not know yet are simply absent there, as they are unknown here.
"""
from __future__ import annotations

from typing import Iterator

from ...load.located import LocDict, LocList, Span
from ...model import Resource
from .facets import Source, iter_resources as facets_of

FORMAT = "tf-plan"


def build_resources(plan: LocDict, path: str) -> list[Resource]:
    """Resources of a plan's ``planned_values`` (managed resources and policy data sources)."""
    return list(iter_resources(plan, path))


def iter_resources(plan: LocDict, path: str, consume: bool = False) -> Iterator[Resource]:
    """:func:`build_resources` one plan resource at a time; with ``consume``, each resource's entry
    is taken out of the plan once its resources are judged (the consumer asks for the next), so
    that a large plan is not held whole beside what is built from it."""
    planned = plan.get("planned_values")
    root = planned.get("root_module") if isinstance(planned, LocDict) else None
    if not isinstance(root, LocDict):
        return iter(())
    return facets_of(s for module in _modules(root, "") for s in _sources(module, path, consume))


def _modules(module: LocDict, address: str) -> Iterator[tuple[LocDict, str]]:
    stack = [(module, address)]
    while stack:
        current, where = stack.pop(0)
        yield current, where
        children = current.get("child_modules")
        for child in children if isinstance(children, LocList) else []:
            if isinstance(child, LocDict):
                stack.append((child, child.get("address") if isinstance(child.get("address"), str) else where))


def _sources(found: tuple[LocDict, str], path: str, consume: bool) -> Iterator[Source]:
    module, address = found
    resources = module.get("resources")
    for i, entry in enumerate(resources if isinstance(resources, LocList) else []):
        if consume:
            list.__setitem__(resources, i, None)  # the source below holds what is read of it
        if not isinstance(entry, LocDict) or not isinstance(entry.get("type"), str):
            continue
        if entry.get("mode") == "data" and entry["type"] != "aws_iam_policy_document":
            continue
        values = entry.get("values")
        props = values if isinstance(values, LocDict) else LocDict(resources.span_of(i))
        name = entry.get("address") if isinstance(entry.get("address"), str) else f"{entry['type']}.{entry.get('name')}"
        span: Span = resources.span_of(i)
        local = name[len(address) + 1:] if address and name.startswith(address + ".") else name
        yield Source(entry["type"], local, name, path, span, props, FORMAT, address)
