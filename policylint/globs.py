"""Path patterns (exclude, suppress paths, rule `files`) with the meaning ``.gitignore`` gives them,
over reported (relative, POSIX) paths: the one matcher for every path pattern policylint reads.

- A pattern with a slash at its start or in its middle is anchored: it matches from the root of
  the scan (``legacy/*.yaml`` is ``legacy/a.yaml``, never ``legacy/old/a.yaml``; ``/build`` only
  the top-level ``build``). A pattern without one floats: it matches a file or folder name at any
  depth (``*.bak``, ``test``).
- A trailing slash matches folders only (``cache/``).
- ``*`` and ``?`` never match ``/``; ``[abc]`` is a character class. ``**`` matches across
  folders: ``**/test`` is ``test`` at any depth (the top level too), ``build/**`` everything
  inside ``build``, ``a/**/b`` zero or more folders between ``a`` and ``b``.
- A leading ``./`` is dropped (``./legacy`` is ``legacy``).
- A folder that matches excludes everything inside it.
"""
from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> tuple[re.Pattern[str], bool]:
    """``(regex over a whole relative path, folders only)`` for one pattern."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    folders_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    if not anchored and pattern != "**":
        pattern = "**/" + pattern
    out, i, n = [], 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")  # zero or more folders
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("(?:/.*)?")  # the folder itself and everything inside
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape("["))
                i += 1
                continue
            body = pattern[i + 1:end]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\").replace("/", "") + "]")
            i = end + 1
        elif pattern[i] == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z"), folders_only


def matches(pattern: str, path: str, is_folder: bool = False) -> bool:
    """Whether ``pattern`` excludes ``path`` (relative, POSIX) or a folder above it."""
    regex, folders_only = compile_pattern(pattern)
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        prefix_is_folder = i < len(parts) or is_folder
        if folders_only and not prefix_is_folder:
            continue
        if regex.match("/".join(parts[:i])):
            return True
    return False
