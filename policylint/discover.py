"""Find the files to lint under the paths a user names."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from .confine import Confinement
from .globs import matches

SKIPPED_DIRS = {".git", ".terraform", "node_modules", "__pycache__"}
DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml", ".template")
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
VARIABLES_SUFFIXES = (".tfvars", ".tfvars.json")  # read by their folder's module; linted when named
LOOP = "symbolic link loop"
OUT_OF_ROOT = "symbolic link pointing outside the scanned tree: not followed"


@dataclass(frozen=True)
class Candidate:
    """A file to lint: ``path`` to open, ``display`` as reported (relative, POSIX)."""

    path: str
    display: str
    kind: str  # document | terraform | tfvars
    refused: str | None = None  # why it may not be read (a link out of the scan root): reported, not read


@dataclass
class Skipped:
    """A path not linted, and why (a symlink loop, a link leaving the tree, unreadable folder)."""

    display: str
    reason: str


def classify(name: str) -> str | None:
    """``terraform``, ``tfvars``, ``document`` or ``None`` by a file's name. Terraform's suffixes
    are matched as Terraform matches them, case and all (``MAIN.TF`` is not part of a module)."""
    lower = name.lower()
    if name.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if name.endswith(VARIABLES_SUFFIXES):
        return "tfvars"
    if lower.endswith(DOCUMENT_SUFFIXES):
        return "document"
    return None


def display_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes (absolute when outside it)."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:
        return Path(absolute).as_posix()
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return Path(absolute).as_posix()
    return Path(rel).as_posix()


def excluded(display: str, patterns: list[str], is_folder: bool = False) -> bool:
    """Whether ``display`` (or any of its parent folders) matches one of the exclude ``patterns``,
    read as ``.gitignore`` reads them (see ``globs.py``)."""
    return any(matches(pattern, display, is_folder) for pattern in patterns)


def discover(paths: list[str], root: str, exclude: list[str] | None = None,
             follow_symlinks: bool = False) -> tuple[list[Candidate], list[Skipped]]:
    """Files under ``paths`` (recursively, in a stable order) that policylint can lint.

    Hidden folders, ``.git``, ``.terraform`` and ``node_modules`` are skipped; symbolic links are
    not followed unless ``follow_symlinks`` (and never out of the scanned tree or round a loop).
    A file named explicitly is linted whatever its name."""
    exclude = exclude or []
    found: dict[str, Candidate] = {}
    skipped: list[Skipped] = []
    for given in paths:
        display = display_path(given, root)
        if os.path.isdir(given):
            _walk_dir(given, root, exclude, follow_symlinks, found, skipped)
        elif os.path.lexists(given):
            kind = classify(given) or "document"
            if not excluded(display, exclude):
                found.setdefault(display, Candidate(given, display, kind))
        else:
            skipped.append(Skipped(display, "no such file or directory"))
    return sorted(found.values(), key=lambda c: c.display), sorted(skipped, key=lambda s: (s.display, s.reason))


def _walk_dir(top: str, root: str, exclude: list[str], follow: bool,
              found: dict[str, Candidate], skipped: list[Skipped]) -> None:
    confinement = Confinement.of_scan([top], root)
    visited: set[str] = set()
    stack = [top]
    while stack:
        directory = stack.pop()
        real = os.path.realpath(directory)
        if real in visited:
            skipped.append(Skipped(display_path(directory, root), f"{LOOP}: not followed"))
            continue
        visited.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(display_path(directory, root), f"cannot list folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            display = display_path(entry.path, root)
            if exclude and excluded(display, exclude, _is_folder(entry)):
                continue
            try:
                if entry.is_symlink():
                    # Terraform reads every .tf file of a module folder, links included: a link to a
                    # file inside the tree is linted as part of its module, like the file it is.
                    module_file = classify(entry.name) == "terraform" and not os.path.isdir(entry.path)
                    problem = _link_problem(entry.path, confinement, follow or module_file)
                    kind = classify(entry.name)
                    if problem == OUT_OF_ROOT and kind in ("terraform", "document") and not os.path.isdir(entry.path):
                        # A lintable file linked from outside: not read, and a located PL0002 says so.
                        found.setdefault(display, Candidate(entry.path, display, kind, confinement.refusal(entry.path)))
                        continue
                    if problem is not None:
                        if kind or problem.startswith(LOOP) or os.path.isdir(entry.path):
                            skipped.append(Skipped(display, problem))
                        continue
                is_dir = entry.is_dir(follow_symlinks=follow)
            except OSError as exc:
                skipped.append(Skipped(display, f"cannot inspect: {exc.strerror or exc}"))
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or entry.name.startswith("."):
                    continue
                stack.append(entry.path)
                continue
            kind = classify(entry.name)
            if kind and kind != "tfvars":  # a folder's variables files are read by its module
                found.setdefault(display, Candidate(entry.path, display, kind))


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_problem(path: str, confinement: Confinement, follow: bool) -> str | None:
    """Why the symbolic link ``path`` is not followed (``None`` when it is)."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{LOOP}: not followed"
        return f"broken symbolic link: {exc.strerror or exc}"
    target = os.path.realpath(path)
    if confinement.refusal(target) is not None:  # the scan root of confine.py
        return OUT_OF_ROOT
    if not follow:
        return "symbolic link: not followed (use --follow-symlinks)"
    return None
