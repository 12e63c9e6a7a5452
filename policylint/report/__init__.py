"""Reports: text for people, JSON for scripts, SARIF for code scanning, and the formats CI systems
read (GitHub workflow commands, JUnit XML, GitLab Code Quality, Markdown, CSV)."""
from __future__ import annotations

from collections.abc import Iterator
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
    """``json.dumps(document, indent=2, ensure_ascii=False)`` and a newline, byte for byte, written
    piece by piece into one buffer. The standard library encodes indented JSON in Python through
    a generator per container, each piece passing up through every level: this walk writes each
    piece once (about 4x faster on a SARIF log, whose rule descriptors alone hold thousands of
    values), and never lists every piece as ``dumps`` does (several times the report's size for
    100,000 findings). A string or integer member is written with its key in one piece, and each
    string key is encoded once (a report repeats a few dozen keys for every finding). An iterator
    (``map``, a generator) is written as the array of what it yields, each item made as it is
    written: a report's findings need not all be held as data beside its text."""
    import io
    from json.encoder import encode_basestring as string  # the C encoder where available

    out = io.StringIO()
    write = out.write
    encoded: dict[str, str] = {}

    def key(k: Any) -> str:
        if type(k) is str:
            text = encoded.get(k)
            if text is None:
                text = encoded[k] = string(k)
            return text
        if isinstance(k, str):
            return string(k)
        if isinstance(k, float):
            return string(_float(k))
        if k is True or k is False or k is None:
            return '"true"' if k is True else '"false"' if k is False else '"null"'
        if isinstance(k, int):
            return string(int.__repr__(k))
        raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")

    def items(o: Any, pad: str) -> None:  # the items of a list, tuple or iterator, "[]" for none
        inner = pad + "  "
        lead = "[\n" + inner
        for v in o:
            if type(v) is str:
                write(lead + string(v))
            else:
                write(lead)
                value(v, inner)
            lead = ",\n" + inner
        write("[]" if lead[0] == "[" else "\n" + pad + "]")

    def value(o: Any, pad: str) -> None:
        if isinstance(o, str):
            write(string(o))
        elif isinstance(o, dict):
            if not o:
                write("{}")
                return
            inner = pad + "  "
            lead = "{\n" + inner
            for k, v in o.items():
                kind = type(v)
                if kind is str:
                    write(lead + key(k) + ": " + string(v))
                elif kind is int:
                    write(lead + key(k) + ": " + int.__repr__(v))
                else:
                    write(lead + key(k) + ": ")
                    value(v, inner)
                lead = ",\n" + inner
            write("\n" + pad + "}")
        elif isinstance(o, (list, tuple, Iterator)):
            items(o, pad)
        elif o is None:
            write("null")
        elif o is True:
            write("true")
        elif o is False:
            write("false")
        elif isinstance(o, int):
            write(int.__repr__(o))
        elif isinstance(o, float):
            write(_float(o))
        else:
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    value(document, "")
    write("\n")
    return out.getvalue()


def _float(number: float) -> str:
    """A float as ``json`` writes it (``NaN``, ``Infinity`` and ``-Infinity`` included)."""
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return float.__repr__(number)


def escape_surrogates(text: str, fmt: str) -> str:
    """``text`` with every unpaired surrogate (a string from the input that is not valid Unicode)
    written as the escape ``\\udXXX``: as text in JSON-based formats (an escaped backslash), so that
    every report is valid UTF-8 whatever the input held."""
    if not _has_surrogate(text):
        return text  # the common case, found without compiling a regular expression
    import re

    backslash = "\\\\" if fmt in ("json", "sarif", "gitlab") else "\\"
    return re.sub("[\ud800-\udfff]", lambda m: f"{backslash}u{ord(m.group()):04x}", text)


def _has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate (what UTF-8 cannot encode), checked a megabyte at a time."""
    step = 1 << 20
    for start in range(0, len(text), step):
        try:
            text[start:start + step].encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False
