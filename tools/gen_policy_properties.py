"""Regenerate policylint/normalise/policy_properties.json: the CloudFormation properties that hold an
IAM policy document (a resource, key, endpoint or identity policy), taken from the resource
provider schemas that cfn-lint ships.

A property holds a policy document when its name says so (it ends in ``Policy``, ``Policies``,
``PolicyDocument`` or ``PolicyText``) and its schema leaves it free-form (a JSON object with no
declared properties, a string, or both — a structured object is a configuration, not a policy
document). Names of other kinds of policy (TLS, lifecycle, redrive, data protection, scaling, ...)
and the few types whose documents are written in another language (Cedar, OpenSearch Serverless,
Guard, network policies) are excluded below; each new schema release should be checked against
the diff this script produces. Which attachment a document has (identity, bucket, key, endpoint,
...) is semantics and lives in the code (``normalise/cloudformation.py``); every property listed
here that the code does not name is a resource policy.

cfn-lint is not a dependency of policylint; run this in a throwaway virtualenv:

    python3 -m venv /tmp/cfnlint && /tmp/cfnlint/bin/pip install cfn-lint
    /tmp/cfnlint/bin/python tools/gen_policy_properties.py > policylint/normalise/policy_properties.json
"""
from __future__ import annotations

import re

from cfn_schemas import schemas, write

POLICY_NAME = re.compile(r"(Policy|Policies|PolicyDocument|PolicyText)$")
# Policies of other kinds: TLS and protocol settings, lifecycle and retention rules, message
# delivery, redrive, filter and data-protection documents, enums and session policies (which only
# narrow a role's own permissions and are not modelled).
NOT_IAM_NAME = re.compile(
    r"(Security|TLSSecurity|Tls|Ssl|Https|Protocol|Deletion|DataDeletion|DeletePropagation|Lifecycle|LifecyclePolicyText"
    r"|DataProtection|Delivery|Filter|Redrive|RedriveAllow|Replay|Archive|Notification|Routing|Backup|Snapshot"
    r"|Tiering|AutoImport|ImagePull|Dns|Termination|Protection|Rate|Answer|Fill|Safeguard|StreamException"
    r"|ScriptCaching|Execution|Default|Browser|UserContext|LanguageSelection|UpdateReplace|Permission|Session"
    r"|WebAppEndpoint|FailureHandling|ReputationEntity|Retention|Referrer)(Policy|PolicyText)$|^LifecyclePolicyText$|^ArnFor")
# Types whose policy properties are not IAM documents.
NOT_IAM_TYPES = {
    "AWS::EC2::VerifiedAccessEndpoint": "Cedar",
    "AWS::EC2::VerifiedAccessGroup": "Cedar",
    "AWS::EC2::ClientVpnEndpoint": "Client VPN authorization policy, not IAM",
    "AWS::OpenSearchServerless::AccessPolicy": "OpenSearch Serverless data access rules",
    "AWS::OpenSearchServerless::LifecyclePolicy": "OpenSearch Serverless lifecycle rules",
    "AWS::OpenSearchServerless::SecurityPolicy": "OpenSearch Serverless encryption/network rules",
    "AWS::NetworkManager::CoreNetwork": "Cloud WAN network policy",
    "AWS::SSM::Parameter": "parameter policies (expiration, notification)",
    "AWS::Logs::AccountPolicy": "data protection / subscription filter / field index policy",
    "AWS::Config::ConfigRule": "Guard rules",
    "AWS::Config::OrganizationConfigRule": "Guard rules",
    "AWS::IVS::Channel": "an enum",
    "AWS::SES::ReceiptFilter": "an enum",
    "AWS::EKS::PodIdentityAssociation": "a session policy: it narrows the role's permissions, grants nothing",
    "AWS::Transfer::User": "a session policy: it narrows the role's permissions, grants nothing",
}
MAX_DEPTH = 6


def _candidates(schema: dict):
    """(dotted path, "*" for list items) of every free-form property named as a policy."""
    defs = schema.get("definitions", {})

    def resolve(spec: dict) -> dict:
        return defs.get(spec["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in spec else spec

    stack = [((), schema.get("properties") or {}, 0)]
    while stack:
        prefix, props, level = stack.pop()
        for name, spec in sorted(props.items()):
            target = resolve(spec)
            if target.get("type") == "array" or spec.get("type") == "array":
                items = resolve(target.get("items") or spec.get("items") or {})
                if items.get("properties") and level < MAX_DEPTH:
                    stack.append((prefix + (name, "*"), items["properties"], level + 1))
                continue
            if target.get("properties"):
                if level < MAX_DEPTH:
                    stack.append((prefix + (name,), target["properties"], level + 1))
                continue
            kinds = target.get("type", spec.get("type"))
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            free = kinds & {"object", "string", None} and not target.get("patternProperties") and not target.get("enum")
            if free and POLICY_NAME.search(name) and not NOT_IAM_NAME.search(name):
                yield ".".join(prefix + (name,))


def main() -> None:
    found: dict[str, list[str]] = {}
    for rtype, schema in schemas():
        if rtype in NOT_IAM_TYPES:
            continue
        paths = sorted(_candidates(schema))
        if paths:
            found[rtype] = paths
    write(found)


if __name__ == "__main__":
    main()
