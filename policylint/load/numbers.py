"""Number literals as values every later stage can print: integers past Python's bound on
decimal conversion (4,300 digits, beyond which ``str()`` and ``int()`` raise rather than spend
quadratic time) become their nearest float, infinite when no float holds them. Infinite and NaN
floats are values too; the Terraform evaluator treats them as unknown (see ``budget.py``)."""
from __future__ import annotations

import math

MAX_INT_DIGITS = 4300
MAX_INT_BITS = int(MAX_INT_DIGITS * math.log2(10))  # an int of this many bits prints in <= 4,300 digits


def decimal(text: str) -> int | float:
    """A decimal integer literal (optionally signed)."""
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        return float(text)  # linear in the digits; inf past the float range
    return int(text)


def bounded(value: int) -> int | float:
    """``value`` itself, or an infinite float of its sign when it has too many digits to print."""
    if value.bit_length() > MAX_INT_BITS:
        return math.copysign(math.inf, value)
    return value


def number(text: str) -> int | float:
    """A JSON or HCL number literal: an int when written as one, else a float."""
    if any(c in text for c in ".eE"):
        return float(text)
    return decimal(text)
