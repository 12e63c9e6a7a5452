"""Located data: plain dicts, lists and scalars that remember where each value was written.

Loaders build trees of :class:`LocDict` and :class:`LocList`; scalars stay plain Python values and
their positions live in the parent container (``spans`` for values, ``key_spans`` for keys). The
normalisers build the resource model from the same containers, so a position travels with the data
from the source file to the finding.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ..budget import charge


class Span(NamedTuple):
    """A 1-based region ``line:col`` to ``end_line:end_col`` (end column is exclusive).

    ``file`` is set when the value lives in another file than the resource that holds it (a
    Terraform ``file("policy.json")``); ``note`` explains where a resolved value came from, and
    ``via`` lists the :class:`Origin` of each step it came through (a default, a tfvars entry).
    """

    line: int
    col: int
    end_line: int
    end_col: int
    file: str | None = None
    note: str | None = None
    via: tuple["Origin", ...] = ()

    def with_note(self, note: "str | Origin | None") -> "Span":
        """This span with a note naming where its value came from; an :class:`Origin` with a
        place is also added to ``via``."""
        if note is None:
            return self
        line, col, end_line, end_col, file, _, via = self
        if isinstance(note, Origin):
            if note.span is not None and note not in via:
                via += (note,)
            note = note.text
        return _new_tuple(Span, (line, col, end_line, end_col, file, note, via))  # NamedTuple._replace is slow

    def region(self) -> "Span":
        """The region of this span alone: no file, note or origins."""
        return _new_tuple(Span, (self[0], self[1], self[2], self[3], None, None, ()))


def came_through(value: Any, span: Span, origin: "Origin") -> tuple[Any, Span]:
    """``value`` (at ``span``) recorded as having come through ``origin`` (a module call's
    argument): the origin is added to the ``via`` of its span and of every span inside it (a copy;
    the value's own positions are kept)."""
    def mark(place: Span) -> Span:
        return place if origin in place.via else place._replace(via=place.via + (origin,))

    def copy(item: Any, depth: int = 0) -> Any:
        if depth > 64:
            return item
        if isinstance(item, LocDict):
            out = LocDict(mark(item.span))
            for key, child in item.items():
                out.put(key, copy(child, depth + 1), mark(item.span_of(key)), item.key_span_of(key))
            return out
        if isinstance(item, LocList):
            out_list = LocList(mark(item.span))
            for i, child in enumerate(item):
                out_list.add(copy(child, depth + 1), mark(item.span_of(i)))
            return out_list
        return item

    return copy(value), mark(span)


class Origin(NamedTuple):
    """Where a resolved value was written: ``text`` says what it is ("from the default of variable
    'cidr'"), ``span`` where (its ``file`` unset: the file of the value that uses it; ``None``: not
    in a file, as ``--var``)."""

    text: str
    span: Span | None = None
    shared: bool = False  # a declaration several resources take their value from (SAM Globals)


def mark_shared(value: Any, text: str) -> Any:
    """``value`` with every span in it marked as written once for several resources (in place):
    findings of one rule at such a place are one finding (``scan.merge_shared``)."""
    origin = Origin(text, None, True)
    return map_spans(value, lambda s: s if origin in s.via else s._replace(via=s.via + (origin,)))


def shared_span(span: Span, text: str) -> Span:
    """``span`` marked as written once for several resources."""
    origin = Origin(text, None, True)
    return span if origin in span.via else span._replace(via=span.via + (origin,))


UNKNOWN_SPAN = Span(1, 1, 1, 1)


class Unknown:
    """A value that cannot be resolved statically (a Ref to a resource, a Terraform variable with no
    value, an import). ``text`` is how it was written; ``refs`` names what it depends on."""

    __slots__ = ("text", "refs")

    def __init__(self, text: str, refs: tuple[str, ...] = ()):
        self.text = text
        self.refs = tuple(refs)

    def __repr__(self) -> str:
        return f"Unknown({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("Unknown", self.text))


class Ref(NamedTuple):
    """Where a span is to be found when it is first read, so that a normaliser copying a value
    need not locate it: ``container.span_of(key)`` (``part`` :data:`VALUE`),
    ``container.key_span_of(key)`` (:data:`KEY`) or the container's own span (:data:`WHOLE`),
    with ``notes`` added in turn (:meth:`Span.with_note`). Made by :func:`at`, :func:`key_at` and
    :func:`place`; located containers take one wherever they take a span."""

    container: Any
    key: Any
    part: int
    notes: tuple[Any, ...] = ()

    def resolve(self) -> Span:
        container, key, part, notes = self
        if part == VALUE:
            span = container.span_of(key)
        elif part == KEY:
            span = container.key_span_of(key)
        else:
            span = container.span
        for note in notes:
            span = span.with_note(note)
        return span

    def with_note(self, note: "str | Origin | None") -> "Ref":
        """This place with a note added (see :meth:`Span.with_note`)."""
        return self if note is None else _new_tuple(Ref, (self.container, self.key, self.part, self.notes + (note,)))

    def locate(self, container: Any) -> None:  # the locator of a container placed by reference
        container.span = self.resolve()
        container.locator = None


VALUE, KEY, WHOLE = 0, 1, 2
_new_tuple = tuple.__new__


def at(container: Any, key: Any, default: "Span | Ref") -> "Span | Ref":
    """Where ``container[key]`` is written, found when first read (``default`` when the container
    does not locate its items): the lazy form of :func:`span_of`."""
    if isinstance(container, (LocDict, LocList)):
        return _new_tuple(Ref, (container, key, VALUE, ()))
    return default


def key_at(container: "LocDict", key: Any) -> Ref:
    """Where the key ``key`` of a located mapping is written, found when first read."""
    return _new_tuple(Ref, (container, key, KEY, ()))


def place(value: Any, default: "Span | Ref") -> "Span | Ref":
    """Where a located container is written — its span if known, else a reference to it — or
    ``default`` for any other value (the lazy form of ``getattr(value, "span", default)``)."""
    if not isinstance(value, (LocDict, LocList)):
        return default
    try:
        return object.__getattribute__(value, "span")
    except AttributeError:  # not located yet
        locator = getattr(value, "locator", None)
        return locator if type(locator) is Ref else _new_tuple(Ref, (value, None, WHOLE, ()))


def as_span(where: "Span | Ref") -> Span:
    """The span a :class:`Ref` resolves to (a span is itself)."""
    return where.resolve() if type(where) is Ref else where


class LazySpans(dict):
    """Spans of a mapping's entries some of which are made when first read: every view of the
    whole (its values, items, a copy, a comparison, its text, its __reduce__) makes them all first
    (:meth:`_whole`, given by each kind)."""

    __slots__ = ()

    def _whole(self) -> "LazySpans":
        raise NotImplementedError

    def values(self) -> Any:
        return dict.values(self._whole())

    def items(self) -> Any:
        return dict.items(self._whole())

    def copy(self) -> dict:
        return dict(dict.items(self._whole()))

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self._whole(), other)

    def __ne__(self, other: object) -> bool:
        return dict.__ne__(self._whole(), other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return dict.__repr__(self._whole())

    def __reduce__(self) -> Any:
        return (dict, (dict(dict.items(self._whole())),))


class RefSpans(LazySpans):
    """The spans of a mapping some of which are :class:`Ref` until first read."""

    __slots__ = ()

    def get(self, key: Any, default: Any = None) -> Any:
        return _settled(self, key, dict.get(self, key, default), dict.__setitem__)

    def __getitem__(self, key: Any) -> Span:
        return _settled(self, key, dict.__getitem__(self, key), dict.__setitem__)

    def _whole(self) -> "RefSpans":
        for key, span in dict.items(self):
            if type(span) is Ref:
                dict.__setitem__(self, key, span.resolve())
        return self


def _settled(spans: Any, key: Any, span: Any, store: Callable[[Any, Any, Any], None]) -> Any:
    """``span`` read from ``spans`` at ``key``: a :class:`Ref` is resolved and ``store``-d in its place."""
    if type(span) is Ref:
        span = span.resolve()
        store(spans, key, span)
    return span


class RefSpanList(list):
    """The spans of a sequence some of which are :class:`Ref` until first read."""

    __slots__ = ()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list.__getitem__(self._whole(), index)
        return _settled(self, index, list.__getitem__(self, index), list.__setitem__)

    def _whole(self) -> "RefSpanList":
        for i, span in enumerate(list.__iter__(self)):
            if type(span) is Ref:
                list.__setitem__(self, i, span.resolve())
        return self

    def __iter__(self) -> Any:
        return list.__iter__(self._whole())

    def __contains__(self, item: object) -> bool:
        return list.__contains__(self._whole(), item)

    def index(self, *args: Any) -> int:
        return list.index(self._whole(), *args)

    def count(self, item: Any) -> int:
        return list.count(self._whole(), item)

    def copy(self) -> list:
        return list(list.__iter__(self._whole()))

    def __eq__(self, other: object) -> bool:
        return list.__eq__(self._whole(), other)

    def __ne__(self, other: object) -> bool:
        return list.__ne__(self._whole(), other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return list.__repr__(self._whole())

    def __reduce__(self) -> Any:
        return (list, (list(list.__iter__(self._whole())),))


class LocDict(dict):
    """A dict whose values (``spans``) and keys (``key_spans``) carry spans; ``span`` is the whole
    mapping. ``duplicates`` lists keys written more than once as ``(key, first_span, later_span)``.

    A loader may leave the spans unset and give the mapping a ``locator`` instead: they are then
    computed from the source text when first read (:meth:`__getattr__`), so that a document whose
    positions are never asked for never pays for them. Where a span is given, a :class:`Ref` may
    be given instead (a normaliser's copy of a value): it is resolved when first read."""

    __slots__ = ("span", "spans", "key_spans", "duplicates", "locator")

    def __init__(self, span: "Span | Ref" = UNKNOWN_SPAN):
        # (no dict.__init__: the new mapping is empty; it runs for every one built)
        if type(span) is Ref:
            self.locator = span
        else:
            self.span = span
        self.spans: dict[Any, Span] = {}
        self.key_spans: dict[Any, Span] = {}
        self.duplicates: list[tuple[Any, Span, Span]] = []

    def put(self, key: Any, value: Any, span: "Span | Ref", key_span: "Span | Ref | None" = None) -> None:
        """Set ``key`` to ``value`` located at ``span`` (its key at ``key_span``, else ``span``)."""
        self[key] = value
        if key_span is None:
            key_span = span
        spans = self.spans
        if type(spans) is not RefSpans and (type(span) is Ref or type(key_span) is Ref):
            spans = self.spans = RefSpans(spans.items())
            self.key_spans = RefSpans(self.key_spans.items())
        spans[key] = span
        self.key_spans[key] = key_span

    def put_from(self, key: Any, value: Any, src: "LocDict", src_key: Any) -> None:
        """Set ``key`` to ``value`` located where ``src[src_key]`` and its key are written (found
        when first read)."""
        self.put(key, value, _new_tuple(Ref, (src, src_key, VALUE, ())), _new_tuple(Ref, (src, src_key, KEY, ())))

    def span_of(self, key: Any) -> Span:
        span = self.spans.get(key)
        return self.span if span is None else span

    def key_span_of(self, key: Any) -> Span:
        span = self.key_spans.get(key)
        return self.span_of(key) if span is None else span

    def __getattr__(self, name: str) -> Any:  # called only for a slot not yet set: locate lazily
        return _located(self, name)


class LocList(list):
    """A list whose items carry spans; ``span`` is the whole sequence (a :class:`Ref` may be given
    for any of them, as for :class:`LocDict`)."""

    __slots__ = ("span", "spans", "locator")

    def __init__(self, span: "Span | Ref" = UNKNOWN_SPAN):
        if type(span) is Ref:
            self.locator = span
        else:
            self.span = span
        self.spans: list[Span] = []

    def add(self, value: Any, span: "Span | Ref") -> None:
        """Append ``value`` located at ``span``."""
        self.append(value)
        spans = self.spans
        if type(span) is Ref and type(spans) is not RefSpanList:
            spans = self.spans = RefSpanList(spans)
        spans.append(span)

    def span_of(self, index: int) -> Span:
        spans = self.spans
        return spans[index] if 0 <= index < len(spans) else self.span

    def __getattr__(self, name: str) -> Any:  # called only for a slot not yet set: locate lazily
        return _located(self, name)


_LAZY_SLOTS = frozenset(("span", "spans", "key_spans", "duplicates"))


def _located(container: Any, name: str) -> Any:
    """The slot ``name`` of a lazily located container, after its locator has filled it in."""
    if name in _LAZY_SLOTS:
        try:
            locator = object.__getattribute__(container, "locator")
        except AttributeError:
            locator = None
        if locator is not None:
            locator.locate(container)
            return object.__getattribute__(container, name)
    raise AttributeError(f"{type(container).__name__!r} object has no attribute {name!r}")


def span_of(container: Any, key: Any, default: Span) -> Span:
    """The span of ``container[key]``, or ``default`` when the container does not know it."""
    if isinstance(container, (LocDict, LocList)):
        return container.span_of(key)
    return default


class BlockText(str):
    """A YAML literal block scalar (``|``): its text, and where it is in the file — line
    ``first_line`` holds its first line, every line indented by ``indent`` columns — so that a
    document written inside it (JSON) can be located to the character."""

    first_line: int
    indent: int

    def __new__(cls, text: str, first_line: int, indent: int) -> "BlockText":
        obj = super().__new__(cls, text)
        obj.first_line, obj.indent = first_line, indent
        return obj

    def __reduce__(self) -> Any:
        return (BlockText, (str(self), self.first_line, self.indent))


class DocumentText(str):
    """A string that encodes a document already decoded with its locations (``data``): an
    ``Fn::Sub`` whose template is a JSON policy."""

    data: Any

    def __new__(cls, text: str, data: Any) -> "DocumentText":
        obj = super().__new__(cls, text)
        obj.data = data
        return obj

    def __reduce__(self) -> Any:
        return (DocumentText, (str(self), self.data))


class UnknownDocument(Unknown):
    """An :class:`Unknown` string (it has substitutions that cannot be known) whose document is
    decoded nonetheless: ``data`` holds it, the unknown parts as :class:`Unknown` values."""

    __slots__ = ("data",)

    def __init__(self, text: str, refs: tuple[str, ...], data: Any):
        super().__init__(text, refs)
        self.data = data


def map_spans(value: Any, move: Callable[[Span], Span]) -> Any:
    """``value`` with ``move`` applied to every span of every container in it (in place)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, LocDict):
            item.span = move(item.span)
            item.spans = {k: move(s) for k, s in item.spans.items()}
            item.key_spans = {k: move(s) for k, s in item.key_spans.items()}
            stack.extend(item.values())
        elif isinstance(item, LocList):
            item.span = move(item.span)
            item.spans = [move(s) for s in item.spans]
            stack.extend(item)
    return value


def shift_block(value: Any, block: BlockText, file: str | None = None) -> Any:
    """``value`` parsed from ``block``'s text (spans relative to it) with every span moved to
    where that text is in the file (in place)."""
    def move(span: Span) -> Span:
        return span._replace(line=span.line + block.first_line - 1, col=span.col + block.indent,
                             end_line=span.end_line + block.first_line - 1, end_col=span.end_col + block.indent)

    return map_spans(value, move)


def relocate(value: Any, span: Span) -> Any:
    """A copy of ``value`` in which every span is ``span`` (for data decoded from inside a string
    whose inner positions cannot be mapped back to the file). The copy is charged to the active
    evaluation budget."""
    if isinstance(value, dict):
        charge(len(value))
        out = LocDict(span)
        for key, child in value.items():
            out.put(key, relocate(child, span), span, span)
        return out
    if isinstance(value, list):
        charge(len(value))
        out_list = LocList(span)
        for child in value:
            out_list.add(relocate(child, span), span)
        return out_list
    return value


def plain(value: Any) -> Any:
    """Strip locations: nested plain dicts/lists, with :class:`Unknown` shown as ``<unknown: …>``
    (charged to the active evaluation budget)."""
    if isinstance(value, dict):
        charge(len(value))
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        charge(len(value))
        return [plain(v) for v in value]
    if isinstance(value, Unknown):
        return f"<unknown: {value.text}>"
    return value


class At(NamedTuple):
    """A scalar and the span :func:`build` is to locate it at."""

    value: Any
    span: Span


def build(value: Any, span: Span) -> Any:
    """Located data from plain dicts and lists (for resources a transform generates): located
    containers are kept as they are, an :class:`At` is placed at its span, the rest at ``span``."""
    if isinstance(value, At):
        return value.value
    if isinstance(value, (LocDict, LocList)):
        return value
    if isinstance(value, dict):
        out = LocDict(span)
        for key, child in value.items():
            out.put(key, build(child, span), _span(child, span), span)
        return out
    if isinstance(value, list):
        out_list = LocList(span)
        for child in value:
            out_list.add(build(child, span), _span(child, span))
        return out_list
    return value


def _span(value: Any, default: Span) -> Span:
    if isinstance(value, At):
        return value.span
    return getattr(value, "span", default) if isinstance(value, (LocDict, LocList)) else default
