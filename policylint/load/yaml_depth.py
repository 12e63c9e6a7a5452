"""How deep the flow collections (``[...]``, ``{...}``) of a YAML text nest, so that policylint's own
nesting bound applies whatever limits (and wording) the installed YAML library has.

The loader bounds nesting as the parser's events arrive. A flow collection is different: a parser
may read far ahead inside it (libyaml refuses at its own depth, in its own words, before emitting
a single event), so when a parse fails the loader measures the flow depth here, and past the bound
reports that instead (a document that parses nests no deeper than the bound, so it is never scanned).

The scan follows YAML's lexical rules closely enough to skip what cannot open a collection:
quoted scalars, comments, plain scalars and block scalars (``|``, ``>``).
"""
from __future__ import annotations

import re

# In flow context: one token at a time.
_FLOW_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<open>[\[{])
  | (?P<close>[\]}])
  | (?P<comment>\#[^\n]*)
  | (?P<quoted>"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?)
  | (?P<plain>(?:[^\s\[\]{},:#]|:(?=[^\s\[\]{},]))(?:[^\s\[\]{},:]|:(?=[^\s\[\]{},])|[ \t]+(?=[^\s\#\[\]{},:]))*)
  | (?P<other>[,:?])
    """,
    re.VERBOSE | re.DOTALL,
)

# In block context: the indicators, key, tag and anchor before a line's value.
_BLOCK_VALUE = re.compile(
    r"""
    (?P<indent>[ ]*)
    (?:(?:---|[-?:])(?:[ \t]+|(?=\n)|\Z))*
    (?:
        (?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s\[\]{}\#'"|>&*!%@`-][^\n]*?|-[^\s\n][^\n]*?)
        [ \t]*:(?:[ \t]+|(?=\n)|\Z)
    )?
    (?:(?:---|-)(?:[ \t]+|(?=\n)|\Z))*
    (?:[!&][^\s]*[ \t]+)*
    """,
    re.VERBOSE,
)
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:\#[^\n]*)?(?=\n|\Z)")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"?|'(?:[^']|'')*'?", re.DOTALL)


def deepest_flow(text: str, limit: int) -> int | None:
    """The offset of the first ``[`` or ``{`` that opens a flow collection nested deeper than
    ``limit`` levels (the enclosing block levels not counted), or ``None``."""
    if text.count("[") + text.count("{") <= limit:
        return None
    n = len(text)
    i = 0
    block_scalar_indent: int | None = None
    while i < n:
        line_end = text.find("\n", i)
        line_end = n if line_end < 0 else line_end
        match = _BLOCK_VALUE.match(text, i, line_end)
        indent = len(match.group("indent"))
        if block_scalar_indent is not None:
            if not text[i:line_end].strip() or indent > block_scalar_indent:
                i = line_end + 1  # a line of a block scalar: literal text
                continue
            block_scalar_indent = None
        j = match.end()
        if j < n and text[j] in "[{":
            found, i = _flow(text, j, limit)
            if found is not None:
                return found
            continue  # the rest of the line after the collection: a comment at most
        if j < n and text[j] in "\"'":
            i = _QUOTED.match(text, j).end()  # a quoted scalar may run over several lines
            i = text.find("\n", i)
            i = n if i < 0 else i + 1
            continue
        if _BLOCK_SCALAR.match(text, j, line_end):
            block_scalar_indent = indent
        i = line_end + 1
    return None


def _flow(text: str, start: int, limit: int) -> tuple[int | None, int]:
    """Scan the flow collection opening at ``start``: the offset of the first collection deeper
    than ``limit`` (or ``None``), and the offset of the line after the one it ends on."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        match = _FLOW_TOKEN.match(text, i)
        if match is None:  # not YAML the parser will accept; it says where
            break
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > limit:
                return i, n
        elif kind == "close":
            depth -= 1
            if depth == 0:
                end = text.find("\n", match.end())
                return None, n if end < 0 else end + 1
        i = match.end()
    return None, n
