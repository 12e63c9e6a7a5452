"""The one error a loader raises: the file cannot be read as what it claims to be."""
from __future__ import annotations

from .located import Span


class LoadError(Exception):
    """A file that cannot be parsed; ``span`` is where the problem was found."""

    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span
