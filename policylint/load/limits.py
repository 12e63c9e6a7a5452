"""The bounds on what a loader accepts, so that no input can exhaust time, memory or the stack.

Real inputs are far inside them: the deepest template of the real-world corpus nests 21 levels
and the largest holds about 3,500 values; CloudFormation itself takes templates of at most 1 MB.
A file past a bound is reported (``PL0001``) and not linted.
"""
from __future__ import annotations

MAX_BYTES = 20 * 1024 * 1024  # read at most this much of a file
MAX_DEPTH = 100  # nested mappings and sequences; the normalisers recurse this deep at most
MAX_VALUES = 250_000  # values in one document, every YAML alias counted as the values it repeats
