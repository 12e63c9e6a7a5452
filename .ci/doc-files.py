"""Write out the files a Markdown page shows as fenced blocks with ``file=PATH`` (docs/writing-rules.md's
example rule and its fixtures), as a reader would. Usage: python .ci/doc-files.py PAGE.md DEST"""
from __future__ import annotations

import re
import sys
from pathlib import Path

BLOCK = re.compile(r"^```\w+ file=(?P<path>\S+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


def main(page: str, dest: str) -> None:
    blocks = list(BLOCK.finditer(Path(page).read_text(encoding="utf-8")))
    if not blocks:
        raise SystemExit(f"doc-files: {page} shows no file= blocks")
    for block in blocks:
        target = Path(dest) / block["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block["body"], encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
