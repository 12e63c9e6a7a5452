"""One instantiation of a module: its variables' values, and the resources it declares.

The root module's variables come from defaults, ``terraform.tfvars``, ``*.auto.tfvars``,
``--var-file`` and ``--var``; a called module's from the caller's arguments. A value taken from a
default or a variables file is located where it is used (``var.x``), with a note naming its origin;
a caller's argument keeps its own location, the true line of the value. ``count`` and ``for_each``
are expanded (at most :data:`MAX_INSTANCES` times, all under one address so that identical
findings collapse; past it a ``PL0002`` note says so); ``dynamic`` blocks likewise.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from ...load.errors import LoadError
from ...load.hcl import Block, Body, Expr
from ...load.located import LocDict, LocList, Origin, Span, Unknown, came_through, plain
from ...load.text import read_text
from ...model import Incomplete, ParseProblem, Resource
from ...budget import note
from ...confine import Confinement
from .expressions import Scope, evaluate
from ..inputs import INPUT_VARIABLE, variable_from_tf
from ..secrets import STRINGS, strings_facet
from .facets import Source
from .folder import Folder, load_folder, terraform_files
from .policy_document import policy_from_data_source
from .values import LocatedText, Missing, nullish

MAX_INSTANCES = 512  # of one count / for_each / dynamic block; real modules stay in the tens
MAX_DEPTH = 16  # module calls inside module calls
MAX_MODULE_INSTANCES = 256  # module instances of one scan task (a tree fanning out is cut here)
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "providers", "lifecycle"}
SKIPPED_BLOCKS = {"lifecycle", "provisioner", "connection"}
MODULE_ARGUMENTS = {"source", "version", "count", "for_each", "depends_on", "providers"}


@dataclass
class SkippedModule(ParseProblem):
    """A note, not an error: a module call that could not be followed (remote and not downloaded)."""

    module: str = ""
    source: str = ""


@dataclass
class Build:
    """State shared by every module instance of one scan task."""

    display: Callable[[str], str]
    confinement: Confinement
    root_dir: str
    manifest: dict[str, str] = field(default_factory=dict)  # module key → downloaded folder
    manifest_dirs: dict[str, str] = field(default_factory=dict)  # module key → its Dir as written
    sources: list[Source] = field(default_factory=list)
    extra: list[Resource] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    seen_folders: set[str] = field(default_factory=set)
    providers: dict[str, tuple[Any, Span]] = field(default_factory=dict)  # "aws" / "aws.west" → region
    instances: int = 0  # module instances built (see MAX_MODULE_INSTANCES)
    file_texts: list[tuple[str, str]] = field(default_factory=list)  # (file, text) file() and templatefile() read
    policy_lookups: dict[str, Any] = field(default_factory=dict)  # data.aws_iam_policy address → its arn/name

    def folder(self, path: str) -> Folder:
        """The module folder at ``path``, parsed (once per process) without its files that may not
        be read (symbolic links out of the scan root); its syntax errors, and those files, are
        recorded the first time this build meets it."""
        refused = {f: self.confinement.refusal(f) for f in terraform_files(path)}
        refused = {f: why for f, why in refused.items() if why is not None}
        folder = load_folder(path, self.display, frozenset(refused))
        if path not in self.seen_folders:
            self.seen_folders.add(path)
            self.problems.extend(folder.problems)
            for file, why in sorted(refused.items()):
                shown = self.display(file)
                self.problems.append(Incomplete(shown, f"{shown} is not read: {why}", Span(1, 1, 1, 1)))
        return folder

    def read_file(self, path: str, expr: Expr) -> tuple[str, str] | None:
        """Text and display name of ``path`` (``file()`` / ``templatefile()`` at ``expr``) if it
        may be read (``confine.py``); else ``None``, and a note at ``expr`` says why."""
        full = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.root_dir, path))
        refusal = self.confinement.refusal(full, hidden=False)
        if refusal is not None:
            note(f"{_short(path)} is not read: {refusal}", expr.src.display, expr.span)
            return None
        try:
            text = read_text(full)
        except LoadError:
            return None
        shown = self.display(full)
        self.file_texts.append((shown, text))
        return text, shown


class Instance:
    """A module folder instantiated with values for its variables."""

    def __init__(self, build: Build, folder: Folder, prefix: str = "", inputs: dict[str, tuple[Any, Span]] | None = None,
                 key: str = "", chain: tuple[str, ...] = ()):
        self.build = build
        self.folder = folder
        self.prefix = prefix  # "" or "module.a." (or "module.a.module.b.")
        self.inputs = inputs or {}
        self.overrides: dict[str, tuple[Any, Origin]] = {}  # tfvars, --var-file and --var values, root module only
        self.key = key  # the module key in .terraform/modules/modules.json
        self.chain = chain + (os.path.realpath(folder.path),)
        self._defaults: dict[str, Any] = {}
        self._locals: dict[str, tuple[Any, Span]] = {}
        self._documents: dict[str, Any] = {}
        self._children: dict[str, Instance | None] = {}
        self._busy: set[str] = set()
        self._used_documents: set[str] = set()  # policy documents some argument refers to

    # -- what expressions ask -----------------------------------------------------------------
    def variable(self, name: str, span: Span) -> tuple[Any, Span, Span | None]:
        """``var.NAME`` read at ``span``: its value, where it is, and (``into``) the span its data
        takes when it was written outside the module (a default, a tfvars file, ``--var``): it is
        located at the reference, with a note naming its origin."""
        if name in self.inputs:
            value, where = self.inputs[name]
            return value, where, None
        if name in self.overrides:
            value, origin = self.overrides[name]
            into = span.with_note(origin)
            return value, into, into
        block = self.folder.variables.get(name)
        if block is None or "default" not in block.body.attrs:
            return Unknown(f"var.{name}", (f"var.{name}",)), span, None
        if name not in self._defaults:
            self._defaults[name] = evaluate(block.body.attrs["default"], Scope(self))[0]
        default = block.body.attrs["default"]
        into = span.with_note(Origin(f"from the default of variable '{name}'", default.span))
        return self._defaults[name], into, into

    def local(self, name: str, span: Span) -> tuple[Any, Span]:
        if name in self._locals:
            return self._locals[name]
        found = self.folder.locals.get(name)
        key = f"local.{name}"
        if found is None or key in self._busy:
            return Unknown(key), span
        body, _ = found
        self._busy.add(key)
        try:
            result = evaluate(body.attrs[name], Scope(self))
        finally:
            self._busy.discard(key)
        self._locals[name] = result
        return result

    def path(self, kind: str) -> str:
        return os.path.abspath(self.folder.path if kind == "module" else self.build.root_dir)

    def read_file(self, path: str, expr: Expr) -> tuple[str, str] | None:
        return self.build.read_file(path, expr)

    def reference(self, root: str, steps: list[Any], expr: Expr) -> tuple[Any, Span] | None:
        names = [s for s in steps if isinstance(s, str)]
        if root == "data" and len(names) >= 2:
            address = f"{self.prefix}data.{names[0]}.{names[1]}"
            if names[0] == "aws_iam_policy_document" and len(names) >= 3 and names[2] in ("json", "minified_json"):
                self._used_documents.add(names[1])
                document = self.policy_document(names[1])
                if document is not None:
                    return document, expr.span
            return Unknown(expr.text, (address,)), expr.span
        if root == "module" and names:
            inner: tuple[str, ...] = ()
            if len(names) >= 2:
                child = self.child(names[0])
                if child is not None:
                    value, span = child.output(names[1], expr.span)
                    if not isinstance(value, Unknown):
                        return value, span
                    inner = value.refs  # already full addresses
            return Unknown(expr.text, (f"{self.prefix}module.{names[0]}",) + inner), expr.span
        if names:
            return self.resource_attribute(root, names[0], names[1:], expr)
        return None

    def resource_attribute(self, rtype: str, name: str, attrs: list[str], expr: Expr) -> tuple[Any, Span]:
        """``type.name.attr``: the argument as configured when it is written in the module, else unknown
        (depending on the resource, so that companion resources can be linked to it)."""
        address = f"{self.prefix}{rtype}.{name}"  # references name full addresses
        block = self.folder.resource(rtype, name)
        if block is None:
            return Unknown(expr.text, (address,)), expr.span
        if ("count" in block.body.attrs or "for_each" in block.body.attrs) and address not in self._busy:
            self._busy.add(address)
            try:
                absent = not self.expansions(block, Scope(self))
            finally:
                self._busy.discard(address)
            if absent:  # count = 0: referring to it is an error (try() moves on)
                return Missing(expr.text), expr.span
        attr = attrs[0] if attrs else None
        if rtype == "aws_s3_bucket" and attr == "id":
            attr = "bucket"
        if attr and attr in block.body.attrs and attr not in META_ARGUMENTS and address not in self._busy:
            self._busy.add(address)
            try:
                value, span = evaluate(block.body.attrs[attr], Scope(self, _unknown_iteration(block)))
            finally:
                self._busy.discard(address)
            if not isinstance(value, (Unknown, dict, list)) and len(attrs) == 1:
                return value, span
        return Unknown(expr.text, (address,)), expr.span

    def output(self, name: str, span: Span) -> tuple[Any, Span]:
        block = self.folder.outputs.get(name)
        key = f"output.{name}"
        if block is None or "value" not in block.body.attrs or key in self._busy:
            return Unknown(f"module output {name}"), span
        self._busy.add(key)
        try:
            return evaluate(block.body.attrs["value"], Scope(self))
        finally:
            self._busy.discard(key)

    def policy_document(self, name: str) -> LocatedText | None:
        if name in self._documents:
            return self._documents[name]
        block = self.folder.data.get(("aws_iam_policy_document", name))
        key = f"document.{name}"
        if block is None or key in self._busy:
            return None
        self._busy.add(key)
        try:
            props = self.evaluate_body(block.body, Scope(self, _unknown_iteration(block)))
            doc = policy_from_data_source(props, block.span)
        finally:
            self._busy.discard(key)
        text = LocatedText(json.dumps(plain(doc), separators=(",", ":")), doc)
        self._documents[name] = text
        return text

    # -- bodies -----------------------------------------------------------------------------
    def evaluate_body(self, body: Body, scope: Scope, skip: set[str] = META_ARGUMENTS) -> LocDict:
        """Attributes evaluated, nested blocks as lists of mappings (``dynamic`` blocks expanded)."""
        props = LocDict(body.span)
        for name, expr in body.attrs.items():
            if name in skip:
                continue
            value, span = evaluate(expr, scope)
            props.put(name, None if isinstance(value, Missing) else value, span, body.attrs.key_span_of(name))
        for block in body.blocks:
            if block.type in SKIPPED_BLOCKS:
                continue
            if block.type == "dynamic" and block.labels:
                for item, span in self._dynamic(block, scope):
                    _append_block(props, block.labels[0], item, span)
            else:
                _append_block(props, block.type, self.evaluate_body(block.body, scope, set()), block.span)
        return props

    def _dynamic(self, block: Block, scope: Scope) -> list[tuple[LocDict, Span]]:
        label = block.labels[0]
        iterator_expr = block.body.attrs.get("iterator")
        iterator = iterator_expr.args[0] if iterator_expr is not None and iterator_expr.op in ("var", "lit") else label
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None or "for_each" not in block.body.attrs:
            return []
        collection, span = evaluate(block.body.attrs["for_each"], scope)
        items = _iterate(collection, span)
        if items is _UNKNOWN_ITEMS:
            items = [(Unknown(f"{iterator}.key", (iterator,)), span, Unknown(f"{iterator}.value", (iterator,)), span)]
        out = []
        for key, key_span, value, value_span in _first_instances(items, block.body.attrs["for_each"], "dynamic block"):
            item = LocDict(value_span)
            item.put("key", key, key_span)
            item.put("value", value, value_span)
            out.append((self.evaluate_body(content.body, scope.bind(**{iterator: (item, value_span)}), set()), content.span))
        return out

    def expansions(self, block: Block, scope: Scope) -> list[dict[str, tuple[Any, Span]]]:
        """Names bound for each instance of a block with ``count`` / ``for_each`` (none if zero)."""
        attrs = block.body.attrs
        if "count" in attrs:
            count, span = evaluate(attrs["count"], scope)
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                return [_unknown_iteration(block)]
            indices = _first_instances(range(max(min(int(count), MAX_INSTANCES), 0)), attrs["count"], "count", int(count))
            return [{"count": (_mapping({"index": i}, span), span)} for i in indices]
        if "for_each" in attrs:
            collection, span = evaluate(attrs["for_each"], scope)
            items = _iterate(collection, span)
            if items is _UNKNOWN_ITEMS:
                return [_unknown_iteration(block)]
            return [{"each": (_mapping({"key": k, "value": v}, v_span), v_span)}
                    for k, _, v, v_span in _first_instances(items, attrs["for_each"], "for_each")]
        return [dict(scope.names)]

    # -- building ---------------------------------------------------------------------------
    def build_resources(self) -> None:
        """Add this instance's resources (and its module calls') to the build."""
        root = Scope(self)
        self._providers(root)
        if not self.prefix:
            self._module_facets(root)
        for block in self.folder.resources:
            rtype, name = block.labels[0], block.labels[1]
            provider = block.body.attrs.get("provider")
            region = self.build.providers.get(provider.text if provider is not None else rtype.split("_")[0])
            for names in self.expansions(block, root):
                props = self.evaluate_body(block.body, Scope(self, names))
                self.build.sources.append(Source(rtype, f"{rtype}.{name}", f"{self.prefix}{rtype}.{name}", block.span.file or "",
                                                 block.span, props, "terraform", self.prefix,
                                                 {"provider_region": region}))
        for block in self.folder.modules:
            self.child(block.labels[0])
        # A policy document used by a resource is checked there; one used by none, on its own.
        for (dtype, name), block in self.folder.data.items():
            if dtype == "aws_iam_policy":  # a lookup of an existing policy, by ARN or name
                props = self.evaluate_body(block.body, Scope(self, _unknown_iteration(block)))
                wanted = props.get("arn") if props.get("arn") is not None else props.get("name")
                if isinstance(wanted, str):
                    self.build.policy_lookups[f"{self.prefix}data.{dtype}.{name}"] = wanted
                continue
            if dtype != "aws_iam_policy_document" or name in self._used_documents or not self.expansions(block, root):
                continue
            document = self.policy_document(name)
            if document is None:
                continue
            props = self.evaluate_body(block.body, Scope(self, _unknown_iteration(block)))
            props.put("json", document, block.span)
            self.build.sources.append(Source(dtype, f"data.{dtype}.{name}", f"{self.prefix}data.{dtype}.{name}",
                                             block.span.file or "", block.span, props, "terraform", self.prefix))
        for child in self._children.values():
            if child is not None:
                child.build_resources()

    def _providers(self, scope: Scope) -> None:
        """Provider configurations into the model; their regions for the resources that use them."""
        for block in self.folder.providers:
            props = self.evaluate_body(block.body, scope)
            alias = props.get("alias")
            key = block.labels[0] + (f".{alias}" if isinstance(alias, str) else "")
            if "region" in props:
                self.build.providers.setdefault(key, (props["region"], props.span_of("region")))
            self.build.extra.append(Resource(None, f"provider.{block.labels[0]}", f"{self.prefix}provider.{key}",
                                             block.span.file or "", block.span, props, "terraform", raw=props))

    def _module_facets(self, scope: Scope) -> None:
        """The root module's input variables, and the literal strings of each of its files."""
        for name, block in self.folder.variables.items():
            attrs = block.body.attrs
            props = LocDict(block.span)
            for key in ("default", "sensitive"):
                if key in attrs:
                    props.put(key, evaluate(attrs[key], scope)[0], attrs.span_of(key), attrs.key_span_of(key))
            if "type" in attrs:
                props.put("type", attrs["type"].text, attrs.span_of("type"), attrs.key_span_of("type"))
            facet = variable_from_tf(name, block.span, props, block.span)
            self.build.extra.append(Resource(INPUT_VARIABLE, INPUT_VARIABLE, f"var.{name}", block.span.file or "",
                                             block.span, facet, "terraform", raw=facet))
        for body in self.folder.bodies:
            facet = strings_facet(literal_strings(body), body.span)
            self.build.extra.append(Resource(STRINGS, STRINGS, "strings", body.span.file or "", body.span, facet,
                                             "terraform", raw=facet))

    def child(self, name: str) -> "Instance | None":
        """The instance of ``module "name"`` (built on first use; ``None`` when it cannot be followed)."""
        if name in self._children:
            return self._children[name]
        self._children[name] = None
        block = next((b for b in self.folder.modules if b.labels[0] == name), None)
        if block is None:
            return None
        where = block.body.attrs.span_of("source") if "source" in block.body.attrs else block.span
        if len(self.chain) > MAX_DEPTH:
            note(f"module calls nested more than {MAX_DEPTH} deep: module '{name}' is not followed",
                 block.span.file or "", where)
            return None
        if self.build.instances >= MAX_MODULE_INSTANCES:
            note(f"more than {MAX_MODULE_INSTANCES} module instances in this module tree: module '{name}' is not followed",
                 block.span.file or "", where)
            return None
        folder_path = self._module_folder(block)
        if folder_path is None or os.path.realpath(folder_path) in self.chain:
            return None
        folder = self.build.folder(folder_path)
        expansions = self.expansions(block, Scope(self))
        names = expansions[0] if expansions else None
        if names is None:
            return None
        inputs = {}
        for arg, expr in block.body.attrs.items():
            if arg not in MODULE_ARGUMENTS:
                value, span = evaluate(expr, Scope(self, names))
                if span[:4] != expr.span[:4] or span.file != expr.span.file:  # written elsewhere: a local, a default
                    value, span = came_through(value, span, Origin(f"through argument '{arg}' of module '{name}'",
                                                                   expr.span))
                inputs[arg] = (value, span)
        key = f"{self.key}.{name}" if self.key else name
        child = Instance(self.build, folder, f"{self.prefix}module.{name}.", inputs, key, self.chain)
        self.build.instances += 1
        self._children[name] = child
        return child

    def _confined(self, path: str, what: str, span: Span) -> str | None:
        """``path`` (a module folder) when it exists and may be read; a note at ``span`` when not."""
        if not os.path.isdir(path):
            return None
        refusal = self.build.confinement.refusal(path)
        if refusal is not None:
            note(f"{what} is not followed: {refusal}", span.file or "", span)
            return None
        return path

    def _module_folder(self, block: Block) -> str | None:
        expr = block.body.attrs.get("source")
        source = evaluate(expr, Scope(self))[0] if expr is not None else None
        if not isinstance(source, str):
            return None
        span = block.body.attrs.span_of("source")
        if source.startswith(("./", "../")):
            path = os.path.normpath(os.path.join(self.folder.path, source))
            if os.path.isdir(path):
                return self._confined(path, f"module '{block.labels[0]}' (source {_short(source)})", span)
            self.build.problems.append(ParseProblem(
                span.file or "", f"module '{block.labels[0]}': its local source '{source}' does not exist "
                f"(no folder {self.build.display(path)}); the module was not read", span))
            return None
        key = f"{self.key}.{block.labels[0]}" if self.key else block.labels[0]
        downloaded = self.build.manifest.get(key)
        if downloaded and os.path.isdir(downloaded):
            return self._confined(downloaded, f"module '{block.labels[0]}' (its modules.json Dir "
                                  f"{_short(self.build.manifest_dirs.get(key, downloaded))})", span)
        self.build.problems.append(SkippedModule(
            span.file or "", f"module '{block.labels[0]}' (source '{source}') is remote and not downloaded: "
            "not linted (run `terraform init` to lint it)", span, block.labels[0], source))
        return None


_UNKNOWN_ITEMS: list = []


def _short(path: str) -> str:
    """A path from the input, quoted, cut to a readable length."""
    return repr(path if len(path) <= 120 else path[:120] + "…")


def _first_instances(items: Any, expr: Expr, what: str, total: int | None = None) -> Any:
    """The first :data:`MAX_INSTANCES` of ``items`` (``total`` of them); when there are more, a
    ``PL0002`` note at ``expr`` says that the rest were not checked."""
    total = len(items) if total is None else total
    if total <= MAX_INSTANCES:
        return items
    note(f"{what} of {total:,} instances: only the first {MAX_INSTANCES} are checked", expr.src.display, expr.span)
    return items[:MAX_INSTANCES]


def literal_strings(body: Body) -> LocDict:
    """Every string literally written in a body (blocks keyed by type and labels, attributes by
    name), located: what secret rules look at, before any evaluation."""
    out = LocDict(body.span)
    for name, expr in body.attrs.items():
        out.put(name, _literal(expr), expr.span, body.attrs.key_span_of(name))
    for i, block in enumerate(body.blocks):
        key = ".".join([block.type] + block.labels) or f"block{i}"
        out.put(key, literal_strings(block.body), block.span)
    return out


def _literal(expr: Expr) -> Any:
    if expr.op == "lit":
        return expr.args[0]
    if expr.op == "tuple":
        items = LocList(expr.span)
        for item in expr.args:
            items.add(_literal(item), item.span)
        return items
    if expr.op == "object":
        mapping = LocDict(expr.span)
        for key, value in expr.args:
            if key.op == "lit":
                mapping.put(str(key.args[0]), _literal(value), value.span, key.span)
        return mapping
    if expr.op == "heredoc":
        parts = expr.args[0]
        return "".join(p for p in parts if isinstance(p, str))
    if expr.op == "tmpl":
        return "".join(p for p in expr.args[0] if isinstance(p, str))
    if expr.op in ("call", "paren"):
        items = LocList(expr.span)
        for arg in (expr.args[1] if expr.op == "call" else expr.args):
            items.add(_literal(arg), arg.span)
        return items
    return None


def _iterate(collection: Any, span: Span) -> list[tuple[Any, Span, Any, Span]]:
    """``(key, key span, value, value span)`` of a ``for_each`` collection (map or set)."""
    collection = nullish(collection)
    if isinstance(collection, LocatedText):
        collection = collection.data
    if isinstance(collection, LocDict):
        return [(k, collection.key_span_of(k), v, collection.span_of(k)) for k, v in collection.items()]
    if isinstance(collection, LocList):
        return [(v if not isinstance(v, (dict, list)) else i, collection.span_of(i), v, collection.span_of(i))
                for i, v in enumerate(collection)]
    if collection is None:
        return []
    return _UNKNOWN_ITEMS


def _unknown_iteration(block: Block) -> dict[str, tuple[Any, Span]]:
    span = block.span
    return {
        "count": (_mapping({"index": Unknown("count.index", ("count",))}, span), span),
        "each": (_mapping({"key": Unknown("each.key", ("each",)), "value": Unknown("each.value", ("each",))}, span), span),
    }


def _mapping(values: dict[str, Any], span: Span) -> LocDict:
    out = LocDict(span)
    for key, value in values.items():
        out.put(key, value, span)
    return out


def _append_block(props: LocDict, name: str, value: LocDict, span: Span) -> None:
    existing = props.get(name)
    if not isinstance(existing, LocList):
        existing = LocList(span)
        props.put(name, existing, span)
    existing.add(value, span)

