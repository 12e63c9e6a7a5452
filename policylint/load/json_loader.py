"""JSON into located data: the line and column of every key and value, computed when asked for.

A document is parsed by the standard library's C parser into :class:`LocDict` / :class:`LocList`
containers that know only their place in the tree; a container's spans (and its duplicate keys'
positions) are found from the text the first time they are read (:class:`_Locator`), so the values
that never reach a finding, a suppression or a message never get a position. Duplicate keys are
kept (last wins, as in CloudFormation) and listed on the mapping.

Text the C parser refuses, and a document past the bounds, goes to the located tokenizer
(:func:`load_json_tokens`): one compiled regular expression, no recursion, so deeply nested input
cannot exhaust the Python stack; its errors (with their positions) are the loader's.
"""
from __future__ import annotations

import bisect
import contextlib
import gc
from array import array
from itertools import accumulate
import json
import json.decoder
import json.scanner
import re
from typing import Any, Iterator

from .errors import LoadError
from .limits import MAX_DEPTH, MAX_VALUES
from .located import LazySpans, LocDict, LocList, Span
from .numbers import number

# Leading whitespace is consumed by the token's own match (one regex call per token, not two).
_TOKEN = re.compile(
    r"""
    [ \t\r\n]*
    (?:
    (?P<str>"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")
  | (?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>[{}\[\]:,])
  | (?P<lit>true|false|null)
    )
    """,
    re.VERBOSE,
)
_SPACE = re.compile(r"[ \t\r\n]*")
_new_span = tuple.__new__  # a Span without the keyword handling of its constructor (made for every position read)
_LITERALS = {"true": True, "false": False, "null": None}


class _Positions:
    """Turns string offsets into 1-based (line, column) pairs."""

    _BLOCK = 10  # text lines are counted in blocks of 1,024 characters

    def __init__(self, text: str, line_offset: int = 0):
        self.text, self.line_offset = text, line_offset
        if "\r" in text:  # line breaks of every kind: the offset where each line starts
            self.starts: array | None = array("q", [0])
            self.starts.extend(m.end() for m in re.finditer(r"\r\n|\r|\n", text))
        else:  # only "\n": the line breaks before each block, the rest counted when asked (a
            # 200 MB plan has millions of lines and few positions are asked for)
            self.starts = None
            size = 1 << self._BLOCK
            self.before = array("q", accumulate((text.count("\n", i, i + size) for i in range(0, len(text), size)),
                                                initial=0))

    def at(self, offset: int) -> tuple[int, int]:
        if self.starts is None:
            block = offset >> self._BLOCK
            line = self.before[block] + self.text.count("\n", block << self._BLOCK, offset)
            return line + 1 + self.line_offset, offset - self.text.rfind("\n", 0, offset)
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1 + self.line_offset, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.at(start)
        if self.starts is None and end - start <= 1 << self._BLOCK:  # the end counted on from the start
            text = self.text
            breaks = text.count("\n", start, end)
            if not breaks:
                return _new_span(Span, (line, col, line, col + end - start, None, None, ()))
            return _new_span(Span, (line, col, line + breaks, end - text.rfind("\n", start, end), None, None, ()))
        end_line, end_col = self.at(end)
        return _new_span(Span, (line, col, end_line, end_col, None, None, ()))


def _decode_string(token: str) -> str:
    return token[1:-1] if "\\" not in token else json.loads(token)


def load_json(text: str, line_offset: int = 0, max_values: int = MAX_VALUES,
              duplicated: list[LocDict] | None = None) -> Any:
    """Parse ``text`` into located data (positions found on demand); raises :class:`LoadError` with
    a position on bad input or past the bounds (``max_values`` values, :data:`MAX_DEPTH` levels).
    Each mapping that writes a key twice is appended to ``duplicated`` when given."""
    found: list[LocDict] = []
    try:
        root = _load_fast(text, line_offset, max_values, found)
    except (_Refused, ValueError, RecursionError):
        found.clear()
        root = load_json_tokens(text, line_offset, max_values, found)
    if duplicated is not None:
        duplicated.extend(found)
    return root


def load_json_tokens(text: str, line_offset: int = 0, max_values: int = MAX_VALUES,
                     duplicated: list[LocDict] | None = None) -> Any:
    """Parse ``text`` with every position computed up front: the reference the fast path must equal,
    and the one whose errors are reported (``duplicated`` as for :func:`load_json`)."""
    pos = _Positions(text, line_offset)
    n = len(text)
    i = 0
    # Each frame: [container, start_offset, pending_key, pending_key_span, state]
    # state: "value" (expects value), "key" (expects key or close), "colon", "comma" (expects , or close)
    stack: list[list[Any]] = []
    root: Any = None
    have_root = False
    values = 0

    def fail(message: str, offset: int) -> LoadError:
        line, col = pos.at(min(offset, n))
        return LoadError(message, Span(line, col, line, col + 1))

    def attach(value: Any, span: Span) -> None:
        nonlocal root, have_root
        if not stack:
            root, have_root = value, True
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, LocDict):
            key = frame[2]
            if key in container:
                if duplicated is not None:
                    if not container.duplicates:
                        duplicated.append(container)
                    if isinstance(container[key], (LocDict, LocList)):
                        duplicated.append(None)  # mappings left out of the data: search it
                container.duplicates.append((key, container.key_spans[key], frame[3]))
            container.put(key, value, span, frame[3])
        else:
            container.add(value, span)
        frame[4] = "comma"

    while True:
        match = _TOKEN.match(text, i)
        if match is None:
            i = _SPACE.match(text, i).end()
            if i >= n:
                break
            raise fail(f"unexpected character {text[i]!r}", i)
        kind = match.lastgroup
        start, end = match.span(kind)
        i = end
        token = match.group(kind)
        state = stack[-1][4] if stack else ("end" if have_root else "value")
        if state == "end":
            raise fail("extra data after the end of the document", start)
        if state == "key":
            if kind == "str":
                frame = stack[-1]
                frame[2] = _decode_string(token)
                frame[3] = pos.span(start, end)
                frame[4] = "colon"
                continue
            if token == "}" and not stack[-1][0]:
                _close(stack, pos, end, attach)
                continue
            raise fail("expected a quoted key", start)
        if state == "colon":
            if token != ":":
                raise fail("expected ':' after key", start)
            stack[-1][4] = "value"
            continue
        if state == "comma":
            container = stack[-1][0]
            if token == ",":
                stack[-1][4] = "key" if isinstance(container, LocDict) else "value"
                if isinstance(container, LocList):
                    stack[-1][4] = "value_required"
                continue
            if (token == "}" and isinstance(container, LocDict)) or (
                token == "]" and isinstance(container, LocList)
            ):
                _close(stack, pos, end, attach)
                continue
            raise fail("expected ',' or the end of the " + ("object" if isinstance(container, LocDict) else "array"), start)
        # state is "value" or "value_required"
        values += 1
        if values > max_values:
            raise fail(f"the document holds more than {max_values:,} values: not linted", start)
        if kind == "punct":
            if token == "{" or token == "[":
                if len(stack) >= MAX_DEPTH:
                    raise fail(f"nesting deeper than {MAX_DEPTH} levels", start)
                container = LocDict() if token == "{" else LocList()
                stack.append([container, start, None, None, "key" if token == "{" else "value"])
                continue
            if token == "]" and state == "value" and stack and isinstance(stack[-1][0], LocList) and not stack[-1][0]:
                _close(stack, pos, end, attach)
                continue
            raise fail(f"unexpected {token!r}", start)
        if kind == "str":
            value: Any = _decode_string(token)
        elif kind == "num":
            value = number(token)
        else:
            value = _LITERALS[token]
        attach(value, pos.span(start, end))
    if stack:
        raise fail("unexpected end of file: an object or array is not closed", n)
    if not have_root:
        raise fail("the file holds no JSON value", 0)
    return root


def _close(stack: list[list[Any]], pos: _Positions, end: int, attach: Any) -> None:
    container, start = stack.pop()[:2]
    container.span = pos.span(start, end)
    attach(container, container.span)


# -- the fast path: C parser, positions on demand ---------------------------------------------

class _Refused(ValueError):
    """The fast path declines (a bound passed, a constant JSON does not allow): the tokenizer decides."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(name)  # NaN, Infinity, -Infinity: not JSON


class _DuplicateKey(ValueError):
    """A skipped object writes a key twice: the whole document is parsed to report it."""


def _no_object(pairs: list[tuple[str, Any]]) -> None:
    return None  # skipping: build nothing, so that skipping a large value costs no memory


def _checked_no_object(pairs: list[tuple[str, Any]]) -> None:
    if len({key for key, _ in pairs}) != len(pairs):
        raise _DuplicateKey()
    return None


_scanstring = json.decoder.scanstring
_skip_value = json.scanner.make_scanner(json.JSONDecoder(object_pairs_hook=_no_object,
                                                         parse_constant=_refuse_constant))
_check_value = json.scanner.make_scanner(json.JSONDecoder(object_pairs_hook=_checked_no_object,
                                                          parse_constant=_refuse_constant))


class _Source:
    """The text of one document and, once a position is asked for, its line starts."""

    __slots__ = ("text", "line_offset", "positions")

    def __init__(self, text: str, line_offset: int):
        self.text, self.line_offset = text, line_offset
        self.positions: _Positions | None = None

    def span(self, start: int, end: int) -> Span:
        if self.positions is None:
            self.positions = _Positions(self.text, self.line_offset)
        return self.positions.span(start, end)


class _Locator:
    """How a container parsed by the fast path finds its spans: its ``start`` offset in the text
    (known once its parent is located) and the containers it holds (``children``: key or index
    → container), whose starts and spans it sets when located itself."""

    __slots__ = ("source", "parent", "start", "children", "depth")

    def __init__(self, source: _Source, children: list[tuple[Any, Any]], depth: int):
        self.source, self.children, self.depth = source, children, depth
        self.parent: Any = None
        self.start = -1

    def locate(self, container: Any) -> None:
        if self.start < 0:  # the parent knows where this container starts
            parent = self.parent
            parent.locator.locate(parent)
        source, text = self.source, self.source.text
        i = _SPACE.match(text, self.start + 1).end()
        if isinstance(container, LocDict):
            offsets: dict[Any, tuple[int, int, int, int]] = {}  # key → key start, end, value start, end
            duplicates: list[tuple[Any, Span, Span]] = []
            if text[i] != "}":
                while True:
                    key, key_end = _scanstring(text, i + 1)
                    start = _SPACE.match(text, _SPACE.match(text, key_end).end() + 1).end()  # past ':'
                    end = _skip_value(text, start)[1]
                    if key in offsets:
                        duplicates.append((key, source.span(*offsets[key][:2]), source.span(i, key_end)))
                    offsets[key] = (i, key_end, start, end)
                    i = _SPACE.match(text, end).end()
                    if text[i] == "}":
                        break
                    i = _SPACE.match(text, i + 1).end()  # past ','
            spans = _Spans(source, offsets, 2)
            container.spans, container.key_spans, container.duplicates = spans, _Spans(source, offsets, 0), duplicates
            starts = {key: offsets[key][2] for key, _ in self.children}
        else:
            list_spans: list[Span] = []
            list_starts: list[int] = []
            if text[i] != "]":
                while True:
                    end = _skip_value(text, i)[1]
                    list_spans.append(source.span(i, end))
                    list_starts.append(i)
                    i = _SPACE.match(text, end).end()
                    if text[i] == "]":
                        break
                    i = _SPACE.match(text, i + 1).end()
            container.spans = list_spans
            spans, starts = list_spans, list_starts  # type: ignore[assignment]
        for key, child in self.children:
            locator = child.locator
            locator.start, locator.parent = starts[key], None  # no cycle left to keep the tree alive
            child.span = spans[key]
        container.locator = None


class _Spans(LazySpans):
    """The spans of a located mapping's values (``part`` 2) or keys (``part`` 0): each is made from
    its offsets in the text the first time it is read (most are never read), all of them when the
    mapping is read whole."""

    __slots__ = ("source", "offsets", "part")

    def __init__(self, source: _Source, offsets: dict[Any, tuple[int, int, int, int]], part: int):
        super().__init__()
        self.source, self.offsets, self.part = source, offsets, part

    def get(self, key: Any, default: Any = None) -> Any:
        span = dict.get(self, key)
        if span is None:
            where = self.offsets.get(key)
            if where is None:
                return default
            span = self.source.span(where[self.part], where[self.part + 1])
            dict.__setitem__(self, key, span)
        return span

    def __missing__(self, key: Any) -> Span:
        where = self.offsets[key]
        span = self.source.span(where[self.part], where[self.part + 1])
        dict.__setitem__(self, key, span)
        return span

    def _whole(self) -> "_Spans":
        if self.offsets:
            for key in self.offsets:
                self[key]
            self.offsets = {}  # every span made (the other part's still reads the offsets)
        return self

    def __iter__(self) -> Any:
        return dict.__iter__(self._whole())

    def __len__(self) -> int:
        return dict.__len__(self._whole())

    def __contains__(self, key: Any) -> bool:
        return key in self.offsets or dict.__contains__(self, key)

    def keys(self) -> Any:
        return dict.keys(self._whole())


def _load_fast(text: str, line_offset: int, max_values: int, duplicated: list[LocDict]) -> Any:
    source = _Source(text, line_offset)
    decoder, count = _located_decoder(source, duplicated)
    start = _SPACE.match(text).end()
    root, end = decoder.raw_decode(text, start)  # (what decode does, with the end of the value kept)
    if _SPACE.match(text, end).end() != len(text):
        raise ValueError("extra data")
    if type(root) is list:
        root = decoder.located_list(root)
    if isinstance(root, (LocDict, LocList)):
        if count() > max_values or root.locator.depth > MAX_DEPTH:
            raise _Refused("bounds")
        root.locator.start = start
        root.span = source.span(start, end)
    return root


def load_json_members(text: str, keep: frozenset[str], max_values: int,
                      duplicated: list[LocDict] | None = None) -> LocDict:
    """A JSON object with only its top-level members named in ``keep`` built (located on demand);
    the others are checked (syntax, duplicate keys) and skipped without building them, so that a
    large document costs little more memory than its text. Raises ``ValueError`` for what
    :func:`load_json` must decide instead (and report): text that is not one valid JSON object, a
    duplicate key anywhere, a bound passed."""
    with _kept_whole():
        return _members(text, keep, max_values, duplicated)


@contextlib.contextmanager
def _kept_whole() -> Iterator[None]:
    """Build a large document that is kept whole, with the cyclic garbage collector paused: it
    would traverse every container built so far each time the heap grows by a quarter (nothing
    built is garbage), and once more when it resumes. What was built is then frozen out of its
    reach (``gc.freeze``) until :func:`release_kept` (the task linting the plan ends)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if paused:
            gc.enable()


def release_kept() -> None:
    """Give what :func:`load_json_members` froze back to the collector (whatever of it is left)."""
    if gc.get_freeze_count():
        gc.unfreeze()


def _members(text: str, keep: frozenset[str], max_values: int, duplicated: list[LocDict] | None) -> LocDict:
    source = _Source(text, 0)
    found: list[LocDict] = []
    decoder, count = _located_decoder(source, found)
    i = _SPACE.match(text).end()
    if text[i:i + 1] != "{":
        raise ValueError("not a JSON object")
    root = LocDict.__new__(LocDict)
    spans: dict[Any, Span] = {}
    key_spans: dict[Any, Span] = {}
    children: list[tuple[str, Any]] = []
    start = i
    i = _SPACE.match(text, i + 1).end()
    while text[i] != "}":
        if text[i] != '"':
            raise ValueError("expected a key")
        key, end = _scanstring(text, i + 1)
        key_span = source.span(i, end)
        i = _SPACE.match(text, end).end()
        if text[i] != ":":
            raise ValueError("expected ':'")
        i = _SPACE.match(text, i + 1).end()
        if key in key_spans:
            raise _DuplicateKey()
        if key in keep:
            value, end = decoder.raw_decode(text, i)
            if type(value) is list:
                value = decoder.located_list(value)
            if isinstance(value, (LocDict, LocList)):
                if value.locator.depth + 1 > MAX_DEPTH:
                    raise _Refused("bounds")
                value.locator.start = i  # its start known: no parent to ask
                children.append((key, value))
            dict.__setitem__(root, key, value)
        else:
            end = _check_value(text, i)[1]
        spans[key], key_spans[key] = source.span(i, end), key_span
        if count() > max_values:
            raise _Refused("bounds")
        i = _SPACE.match(text, end).end()
        if text[i] == ",":
            i = _SPACE.match(text, i + 1).end()
            if text[i] == "}":
                raise ValueError("trailing comma")
        elif text[i] != "}":
            raise ValueError("expected ',' or '}'")
    end = i + 1
    if _SPACE.match(text, end).end() != len(text):
        raise ValueError("extra data")
    root.span, root.spans, root.key_spans, root.duplicates = source.span(start, end), spans, key_spans, []
    for key, child in children:
        child.span = spans[key]
    root.locator = None
    if duplicated is not None:
        duplicated.extend(found)
    return root


def _located_decoder(source: _Source, duplicated: list[LocDict]) -> tuple[Any, Any]:
    """A JSON decoder building lazily located containers of ``source`` (with ``located_list`` for
    the lists the C parser builds; the mappings that write a key twice appended to ``duplicated``),
    and a function counting the values built so far."""
    build = _Builder(source, duplicated)
    decoder = json.JSONDecoder(object_pairs_hook=build.located_dict, parse_constant=_refuse_constant)
    decoder.located_list = build.located_list  # type: ignore[attr-defined]
    return decoder, lambda: build.values


class _Builder:
    """The containers of one source, as the C parser hands them over (an object, class rather than
    closures: a recursive closure is a reference cycle, which would keep the text alive until the
    collector runs)."""

    __slots__ = ("source", "values", "duplicated")

    def __init__(self, source: _Source, duplicated: list[LocDict]):
        self.source, self.values, self.duplicated = source, 1, duplicated

    def located_list(self, items: list[Any]) -> LocList:
        out = LocList.__new__(LocList)
        list.extend(out, items)
        self.values += len(items)
        children = []
        depth = 0
        for index, item in enumerate(out):
            kind = type(item)
            if kind is list:
                item = out[index] = self.located_list(item)
            elif kind is not LocDict:
                continue
            children.append((index, item))
            item.locator.parent = out
            depth = max(depth, item.locator.depth)
        out.locator = _Locator(self.source, children, depth + 1)
        return out

    def located_dict(self, pairs: list[tuple[str, Any]]) -> LocDict:
        out = LocDict.__new__(LocDict)
        dict.update(out, pairs)
        self.values += len(pairs)
        if len(out) == len(pairs):
            out.duplicates = []  # else found when located
        else:
            self.duplicated.append(out)
            if any(type(value) in (LocDict, list) and out[key] is not value for key, value in pairs):
                self.duplicated.append(None)  # mappings left out of the data: search it
        children = []
        depth = 0
        for key, item in out.items():
            kind = type(item)
            if kind is list:
                item = self.located_list(item)
                dict.__setitem__(out, key, item)
            elif kind is not LocDict:
                continue
            children.append((key, item))
            item.locator.parent = out
            depth = max(depth, item.locator.depth)
        out.locator = _Locator(self.source, children, depth + 1)
        return out
