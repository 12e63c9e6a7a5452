"""Regenerate policylint/normalise/secret_properties.json: the CloudFormation properties that hold a
secret, taken from the resource provider schemas that cfn-lint ships.

A property holds a secret when its schema marks it write-only (CloudFormation never returns it:
passwords, tokens and keys are write-only) and its name ends in a secret noun (Password, Secret,
Token, PrivateKey, ...) — not an ARN, id or name of a secret stored elsewhere. cfn-lint is not a
dependency of policylint; run this in a throwaway virtualenv:

    python3 -m venv /tmp/cfnlint && /tmp/cfnlint/bin/pip install cfn-lint
    /tmp/cfnlint/bin/python tools/gen_secret_properties.py > policylint/normalise/secret_properties.json
"""
from __future__ import annotations

import re

from cfn_schemas import schemas, write

SECRET_NAME = re.compile(r"(Password|Passphrase|Secret|SecretKey|SecretToken|Token|AuthToken|PrivateKey|PreSharedKey)$")
NOT_A_SECRET = re.compile(r"(Arn|Id|Name|Source|Type|Storage|Config|Configuration|Length|Policy|Version)$|^ClientToken$")  # ClientToken: an idempotency token
MAX_DEPTH = 6


def _props(schema: dict, node: dict, depth: int = 0):
    """(JSON pointer under /properties, property schema) for every string-valued property."""
    defs = schema.get("definitions", {})
    stack = [("", node.get("properties") or {}, 0)]
    while stack:
        prefix, props, level = stack.pop()
        for name, spec in sorted(props.items()):
            pointer = f"{prefix}/{name}"
            if "$ref" in spec:
                target = defs.get(spec["$ref"].rsplit("/", 1)[-1], {})
                if target.get("properties") and level < MAX_DEPTH:
                    stack.append((pointer, target["properties"], level + 1))
                elif target.get("type") == "string":
                    yield pointer, target
                continue
            items = spec.get("items") or {}
            if spec.get("type") == "array" and "$ref" in items:
                target = defs.get(items["$ref"].rsplit("/", 1)[-1], {})
                if target.get("properties") and level < MAX_DEPTH:
                    stack.append((pointer + "/*", target["properties"], level + 1))
                continue
            if spec.get("type") == "object" and spec.get("properties") and level < MAX_DEPTH:
                stack.append((pointer, spec["properties"], level + 1))
                continue
            kinds = spec.get("type")
            if kinds == "string" or (isinstance(kinds, list) and "string" in kinds):
                yield pointer, spec


def main() -> None:
    found: dict[str, list[str]] = {}
    for rtype, schema in schemas():
        write_only = {w[len("/properties"):] for w in schema.get("writeOnlyProperties", [])}
        for pointer, _ in _props(schema, schema):
            name = pointer.rsplit("/", 1)[-1]
            covered = pointer in write_only or any(pointer.startswith(w + "/") for w in write_only)
            if covered and SECRET_NAME.search(name) and not NOT_A_SECRET.search(name):
                found.setdefault(rtype, []).append(pointer.lstrip("/").replace("/", "."))
    write(found)


if __name__ == "__main__":
    main()
