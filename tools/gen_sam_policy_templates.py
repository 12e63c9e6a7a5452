"""Write policylint/normalise/sam/policy_templates.json from the data aws-sam-translator ships.

Run it with a Python that has aws-sam-translator installed (a throwaway virtualenv; policylint does
not depend on it)::

    python -m venv /tmp/sam && /tmp/sam/bin/pip install aws-sam-translator
    /tmp/sam/bin/python tools/gen_sam_policy_templates.py

The output keeps each template's ``Definition`` and parameter names, and records the translator's
version, so that a review can tell which release the expansions follow.
"""
from __future__ import annotations

import json
import sys
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "policylint" / "normalise" / "sam" / "policy_templates.json"


def main() -> int:
    source = resources.files("samtranslator") / "policy_templates_data" / "policy_templates.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    templates = {
        name: {"Parameters": sorted(body.get("Parameters") or {}), "Definition": body["Definition"]}
        for name, body in sorted(data["Templates"].items())
    }
    out = {
        "source": "aws-sam-translator policy_templates_data/policy_templates.json (Apache-2.0)",
        "translator_version": metadata.version("aws-sam-translator"),
        "templates_version": data.get("Version"),
        "Templates": templates,
    }
    OUT.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(templates)} templates from aws-sam-translator {out['translator_version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
