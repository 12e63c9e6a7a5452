"""Read a folder's ``.tf`` and ``.tf.json`` files into the declarations of one module."""
from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from ...discover import TERRAFORM_SUFFIXES
from ...load.errors import LoadError
from ...load.hcl import Block, Body, Source, json_body, parse_hcl
from ...load.json_loader import load_json
from ...load.located import LocDict, Span
from ...load.text import read_text
from ...model import ParseProblem


@dataclass
class Folder:
    """The declarations of one module folder, in file order."""

    path: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, tuple[Body, str]] = field(default_factory=dict)  # name → (locals body, name)
    resources: list[Block] = field(default_factory=list)
    data: dict[tuple[str, str], Block] = field(default_factory=dict)
    modules: list[Block] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)
    outputs: dict[str, Block] = field(default_factory=dict)
    problems: list[ParseProblem] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)  # each file's top level, in file order
    by_address: dict[tuple[str, str], Block] = field(default_factory=dict)  # the first block of each type.name

    def resource(self, rtype: str, name: str) -> Block | None:
        return self.by_address.get((rtype, name))

    def add(self, body: Body) -> None:
        for block in body.blocks:
            labels = block.labels
            if block.type == "resource" and len(labels) == 2:
                self.resources.append(block)
                self.by_address.setdefault((labels[0], labels[1]), block)
            elif block.type == "data" and len(labels) == 2:
                self.data.setdefault((labels[0], labels[1]), block)
            elif block.type == "variable" and len(labels) == 1:
                self.variables.setdefault(labels[0], block)
            elif block.type == "locals":
                for name in block.body.attrs:
                    self.locals.setdefault(name, (block.body, name))
            elif block.type == "module" and len(labels) == 1:
                self.modules.append(block)
            elif block.type == "provider" and len(labels) == 1:
                self.providers.append(block)
            elif block.type == "output" and len(labels) == 1:
                self.outputs.setdefault(labels[0], block)


# Parsed folders, most recently used last. A task reuses the folders of the modules it calls, and
# tasks calling the same modules run one after another (affinity.py); keeping every folder until the
# run ends made a worker's memory grow with the tree (~700 MiB for 20,000 files). A folder dropped
# and met again is parsed again, to the same declarations: only speed depends on this bound.
MAX_CACHED_FOLDERS = 128  # the corpus reaches 189 folders; 128 never re-parses one there
_CACHE: OrderedDict[tuple[str, str, frozenset[str]], Folder] = OrderedDict()


def terraform_files(path: str) -> list[str]:
    """The ``.tf`` / ``.tf.json`` files of a folder, sorted by name (Terraform's order)."""
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return []
    return [os.path.join(path, n) for n in names if n.endswith(TERRAFORM_SUFFIXES) and os.path.isfile(os.path.join(path, n))]


def load_folder(path: str, display: Callable[[str], str], skip: frozenset[str] = frozenset()) -> Folder:
    """The module in folder ``path`` without the files in ``skip``; ``display`` names files as
    reported. The last ``MAX_CACHED_FOLDERS`` folders used are kept parsed; an older one is parsed again."""
    key = (os.path.realpath(path), display(path), skip)
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    folder = Folder(path)
    for file in terraform_files(path):
        if file in skip:
            continue
        shown = display(file)
        try:
            body = parse_file(file, shown)
            folder.bodies.append(body)
            folder.add(body)
        except LoadError as exc:
            folder.problems.append(ParseProblem(shown, exc.message, exc.span))
    _CACHE[key] = folder
    while len(_CACHE) > MAX_CACHED_FOLDERS:
        _CACHE.popitem(last=False)
    return folder


def parse_file(path: str, display: str) -> Body:
    """One ``.tf``, ``.tf.json``, ``.tfvars`` or ``.tfvars.json`` file as a body."""
    text = read_text(path)
    if path.endswith(".tfvars.json"):
        return json_body(load_json(text), Source(text, display))
    if path.endswith(".json"):
        return json_file_body(text, display)
    return parse_hcl(text, display)


def json_file_body(text: str, display: str) -> Body:
    """A ``.tf.json`` file: its top-level object's block types as blocks (labels from nesting)."""
    data = load_json(text)
    source = Source(text, display)
    if not isinstance(data, LocDict):
        raise LoadError("a .tf.json file must hold a JSON object", Span(1, 1, 1, 2))
    top = json_body(data, source)
    depth = {"resource": 2, "data": 2, "variable": 1, "module": 1, "provider": 1, "output": 1, "locals": 0}
    for kind, labels_needed in depth.items():
        if kind not in data:
            continue
        for labels, value, span in _nested(data[kind], data.span_of(kind), labels_needed):
            for item, item_span in (((v, value.span_of(i)) for i, v in enumerate(value)) if isinstance(value, list) else [(value, span)]):
                if isinstance(item, LocDict):
                    top.blocks.append(Block(kind, labels, json_body(item, source), item_span._replace(file=display)))
        del top.attrs[kind]
    return top


def _nested(value, span, depth, labels=()):
    if depth == 0:
        yield list(labels), value, span
        return
    if isinstance(value, LocDict):
        for key, child in value.items():
            yield from _nested(child, value.key_span_of(key), depth - 1, labels + (key,))
