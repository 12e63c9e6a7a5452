"""The CloudFormation resource provider schemas cfn-lint ships, for the generator scripts in
``tools/`` (cfn-lint is not a dependency of policylint: run them in a throwaway virtualenv)."""
from __future__ import annotations

import json
import sys
from importlib import metadata, resources
from typing import Iterator


def schemas() -> Iterator[tuple[str, dict]]:
    """``(resource type, schema)`` of every us-east-1 resource type, in type order."""
    base = resources.files("cfnlint") / "data" / "schemas"
    index = json.loads((base / "providers" / "us-east-1.json").read_text())
    for rtype, digest in sorted(index.items()):
        path = base / "resources" / f"{digest}.json"
        if path.is_file():
            yield rtype, json.loads(path.read_text())


def write(found: dict[str, list[str]]) -> None:
    """Print the generated table, naming its source."""
    out = {"source": f"cfn-lint {metadata.version('cfn-lint')} resource provider schemas (us-east-1)",
           "cloudformation": found}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
