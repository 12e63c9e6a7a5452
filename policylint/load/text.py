"""Reading a file's text: encodings, byte-order marks and binary content."""
from __future__ import annotations

import codecs

from .errors import LoadError
from .limits import MAX_BYTES
from .located import Span


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM) or UTF-16/32 with a BOM; raises
    :class:`LoadError` for binary content or invalid UTF-8, located at the first bad byte."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError(f"not valid {encoding.upper()}: {exc.reason}", _at(data, exc.start, encoding)) from None
    if b"\x00" in data[:8192]:
        raise LoadError("binary content (NUL bytes): not a text file", _at(data, data.index(b"\x00")))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", _at(data, exc.start)) from None


def read_head(path: str, size: int = 4096) -> bytes:
    """The first ``size`` bytes of ``path`` (empty when it cannot be read: :func:`read_text` says why)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def read_text(path: str, max_bytes: int = MAX_BYTES) -> str:
    """Read and decode ``path``; raises :class:`LoadError` (unreadable, larger than ``max_bytes``,
    not text)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise LoadError("the file disappeared before it could be read", Span(1, 1, 1, 1)) from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a file", Span(1, 1, 1, 1)) from None
    except OSError as exc:
        raise LoadError(f"cannot read the file: {exc.strerror or exc}", Span(1, 1, 1, 1)) from None
    if len(data) > max_bytes:
        raise LoadError(f"larger than {max_bytes // (1024 * 1024)} MiB: not linted", Span(1, 1, 1, 1))
    return decode(data)


def _at(data: bytes, offset: int, encoding: str = "utf-8") -> Span:
    """The line and column (in characters, as everywhere else) of the byte at ``offset``."""
    before = data[:offset].decode(encoding, "replace")
    line = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1) + 1
    return Span(line, col, line, col + 1)
