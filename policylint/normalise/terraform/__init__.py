"""Terraform into the resource model: a folder of ``.tf`` / ``.tf.json`` files is one module.

``build_module`` reads the module of the files being linted (every file of their folder, plus
``terraform.tfvars`` and ``*.auto.tfvars``), evaluates it with the values its variables would get,
follows local module calls (and remote ones downloaded under ``.terraform/modules``) and turns every
resource into the same model CloudFormation feeds (``facets.py``). ``plan.py`` does the same for the
JSON of ``terraform show -json``.
"""
from __future__ import annotations

import glob
import json
import functools
import os
from typing import Any

from ... import budget
from ...discover import display_path
from ...load.errors import LoadError
from ...load.hcl import Source, parse_expression
from ...load.located import Origin, Span, Unknown
from ...model import Incomplete, ParseProblem, Resource
from .expressions import Scope, evaluate
from .facets import resources_of
from .folder import parse_file
from ...confine import Confinement
from .instance import Build, Instance, SkippedModule

__all__ = ["build_module", "SkippedModule"]


def build_module(candidates: list[Any], options: Any) -> tuple[list[Resource], list[ParseProblem], list[tuple[str, str]]]:
    """Resources of the module the ``candidates`` (``.tf`` files of one folder) belong to, the
    texts ``file()`` and ``templatefile()`` read (kept out of messages, see ``confine.redactor``) and the
    problems met: syntax errors (``PL0001``), what could not be fully evaluated
    (:class:`~policylint.model.Incomplete`, ``PL0002``) and :class:`SkippedModule` notes."""
    root = os.path.abspath(getattr(options, "root", ".") or ".")
    folder_path = os.path.dirname(candidates[0].path) or "."
    # By the path as written (a symbolic link is reported where it is, like the file it is).
    shown = {os.path.abspath(c.path): c.display for c in candidates}

    @functools.lru_cache(maxsize=None)  # asked for the same few folders and files again and again
    def display(path: str) -> str:
        return shown.get(os.path.abspath(path)) or display_path(path, root)

    confinement = Confinement.of_scan(getattr(options, "paths", None) or [folder_path], root)
    build = Build(display, confinement, folder_path, *_manifest(folder_path, confinement))
    with budget.active() as spending:
        instance = Instance(build, build.folder(folder_path))
        instance.overrides = _overrides(instance, options, folder_path, display, build.problems)
        instance.build_resources()
        resources = resources_of(build.sources, build.policy_lookups) + build.extra
    return resources, build.problems + [Incomplete(n.file, n.message, n.span) for n in spending.notes], build.file_texts


def _manifest(folder_path: str, confinement: Confinement) -> tuple[dict[str, str], dict[str, str]]:
    """Downloaded remote modules, from ``.terraform/modules/modules.json``: key → folder, and
    key → ``Dir`` as written (each folder is checked against the scan root where it is used)."""
    path = os.path.join(folder_path, ".terraform", "modules", "modules.json")
    if confinement.refusal(path) is not None:
        return {}, {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}, {}
    folders, written = {}, {}
    for entry in data.get("Modules", []) if isinstance(data, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
            folders[entry["Key"]] = os.path.normpath(os.path.join(folder_path, entry["Dir"]))
            written[entry["Key"]] = entry["Dir"]
    return folders, written


def _overrides(instance: Instance, options: Any, folder_path: str, display, problems: list[ParseProblem]) -> dict[str, tuple[Any, Origin]]:
    """Root variable values, by precedence: tfvars files of the folder, ``--var-file``, ``--var``."""
    files = [os.path.join(folder_path, "terraform.tfvars"), os.path.join(folder_path, "terraform.tfvars.json")]
    files += sorted(glob.glob(os.path.join(glob.escape(folder_path), "*.auto.tfvars")) +
                    glob.glob(os.path.join(glob.escape(folder_path), "*.auto.tfvars.json")))
    given = list(getattr(options, "var_files", None) or [])  # the user's choice, read wherever they are
    values: dict[str, tuple[Any, Origin]] = {}
    for path in files + given:
        if not os.path.isfile(path):
            continue
        shown = display(path)
        refusal = None if path in given else instance.build.confinement.refusal(path)
        if refusal is not None:
            problems.append(Incomplete(shown, f"variables file {shown} is not read: {refusal}", Span(1, 1, 1, 1)))
            continue
        try:
            body = parse_file(path, shown)
        except LoadError as exc:
            problems.append(ParseProblem(shown, exc.message, exc.span))
            continue
        for name, expr in body.attrs.items():
            values[name] = (evaluate(expr, Scope(instance))[0], Origin(f"from {shown}", expr.span))
    for name, text in (getattr(options, "variables", None) or {}).items():
        values[name] = (_cli_value(text, instance), Origin("from --var"))
    return values


def _cli_value(text: str, instance: Instance) -> Any:
    """``--var name=value``: an HCL value when it is one (``["a"]``, ``true``, ``3``), else the string."""
    stripped = text.strip()
    if stripped[:1] in ('[', '{', '"') or stripped in ("true", "false", "null") or stripped.lstrip("-").replace(".", "", 1).isdigit():
        try:
            value, _ = evaluate(parse_expression(stripped, Span(1, 1, 1, 1), Source(stripped, "--var")), Scope(instance))
        except Exception:  # noqa: BLE001 - not an HCL value: the raw string, as Terraform takes it
            return text
        if not isinstance(value, Unknown):
            return value
    return text
