"""The close match offered when a user names something that does not exist ("did you mean …?")."""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable


def close_match(word: str, known: Iterable[str]) -> str | None:
    """The one of ``known`` closest to ``word`` (a difference of case first), or ``None`` when
    none is close."""
    by_lower: dict[str, str] = {}
    for name in sorted(set(known)):
        by_lower.setdefault(name.lower(), name)
    if word.lower() in by_lower:
        return by_lower[word.lower()]
    lowered = word.lower()

    def score(name: str) -> tuple[float, int, str]:
        # Ties (PL1011 is as close to PL1001 as to PL9011) go to the longer common prefix.
        prefix = len(os.path.commonprefix([lowered, name]))
        return difflib.SequenceMatcher(None, lowered, name).ratio(), prefix, name

    best = max((score(name) for name in by_lower), default=None)
    return by_lower[best[2]] if best is not None and best[0] >= 0.6 else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the close match of ``word`` in ``known``, or ``""``."""
    match = close_match(word, known)
    return f" (did you mean {match!r}?)" if match is not None else ""
