"""Reports: text for people, JSON for scripts, SARIF for code scanning, and the formats CI systems
read (GitHub workflow commands, JUnit XML, GitLab Code Quality, Markdown, CSV)."""
from __future__ import annotations

from typing import Any

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab", "markdown", "csv")


def render(fmt: str, result: Any, findings: list[Any], colour: bool = False, show_suppressed: bool = False,
           quiet: bool = False) -> str:
    """The report ``fmt`` for the findings to show (modules are imported only when used); ``quiet``:
    the text report has the finding lines only."""
    if fmt == "sarif":
        from . import sarif

        return sarif.render(result, findings, include_suppressed=show_suppressed)
    if fmt == "text":
        from . import text

        return text.render(result, findings, colour=colour, quiet=quiet)
    from importlib import import_module

    module = {"json": "json_report", "github": "github", "junit": "junit", "gitlab": "gitlab",
              "markdown": "markdown", "csv": "csv_report"}[fmt]
    return import_module(f".{module}", __name__).render(result, findings)


def json_text(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False)`` and a newline, written piece by piece
    into one buffer: ``dumps`` first lists every piece, which for a report of 100,000 findings
    holds several times the report's size."""
    import io
    import json

    out = io.StringIO()
    for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(document):
        out.write(chunk)
    out.write("\n")
    return out.getvalue()


def escape_surrogates(text: str, fmt: str) -> str:
    """``text`` with every unpaired surrogate (a string from the input that is not valid Unicode)
    written as the escape ``\\udXXX``: as text in JSON-based formats (an escaped backslash), so that
    every report is valid UTF-8 whatever the input held."""
    import re

    backslash = "\\\\" if fmt in ("json", "sarif", "gitlab") else "\\"
    return re.sub("[\ud800-\udfff]", lambda m: f"{backslash}u{ord(m.group()):04x}", text)
