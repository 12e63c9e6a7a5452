"""policylint: a policy-as-code linter for CloudFormation, Terraform and IAM policy documents.

``__version__`` comes from the installed package's metadata, whose one source is the ``version``
in ``pyproject.toml``; it is read when first asked for (a scan that writes no report never pays for
it)."""
from __future__ import annotations

from typing import Any


def _version() -> str:
    found = _version_beside_package()
    if found:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policylint")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return _version_from_source() or "0+unknown"


def _version_beside_package() -> str | None:
    """The ``Version`` of the one ``policylint-*.dist-info`` beside the installed package: what
    ``importlib.metadata`` answers for an ordinary install, without importing it."""
    from pathlib import Path

    try:
        infos = list(Path(__file__).resolve().parent.parent.glob("policylint-*.dist-info"))
        if len(infos) != 1:
            return None
        with open(infos[0] / "METADATA", encoding="utf-8") as metadata:
            for line in metadata:
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip() or None
                if not line.strip():
                    return None  # the headers ended
    except OSError:
        return None
    return None


def _version_from_source() -> str | None:
    import re
    from pathlib import Path

    try:
        text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r'(?m)^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', text)
    return match.group(1) if match else None


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'policylint' has no attribute {name!r}")
