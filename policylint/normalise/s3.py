"""The normalised S3 bucket facet.

Fields (``None`` when not configured; spans point at where each setting was written, which for
Terraform may be a companion resource)::

    name, acl,
    encryption: {algorithms: [..], kms_key_ids: [..]},
    public_access_block: {block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets},
    versioning: {status, mfa_delete}, logging: {target_bucket, target_prefix},
    cors_rules: [{allowed_origins: [..], allowed_methods: [..]}], website: {...},
    policies: [names of the bucket policies attached in the same template or module],
    trail_logs: [names of the CloudTrail trails that deliver their logs to this bucket],
    access_log_target: true when the bucket receives server access logs (see mark_log_targets)
"""
from __future__ import annotations

import json
from typing import Any

from ..load.located import LocDict, LocList, Span, Unknown, plain, Unknown
from .fields import is_set, sub
from .vpc import refs_in

# Defaults assumed (what AWS does when a template says nothing): since April 2023 a new bucket has
# all four Block Public Access settings on and ACLs disabled; since January 2023 every bucket is
# encrypted with SSE-S3. A facet field is ``None`` when the template does not state it.
FIELDS = ("name", "acl", "encryption", "public_access_block", "versioning", "logging", "cors_rules", "website",
          "access_log_target")
LINKS = ("policies", "trail_logs")
UNREADABLE = "*unreadable*"  # links_from_cfn: a resource of the template could not be read
PUBLIC_ACCESS_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def new_bucket(span: Span) -> LocDict:
    """An empty facet: nothing configured."""
    facet = LocDict(span)
    for name in FIELDS:
        facet.put(name, None, span)
    for name in LINKS:
        facet.put(name, LocList(span), span)
    return facet


def add_unknown_policy(facet: LocDict) -> None:
    """The template has a resource that could not be read, which may be this bucket's policy."""
    facet["policies"].add(Unknown("a resource of the template could not be read"), facet.span)


def add_link(facet: LocDict, link: str, name: str) -> None:
    """Record that resource ``name`` is a policy of (``policies``) or a trail logging into
    (``trail_logs``) the bucket of ``facet``."""
    names: LocList = facet[link]
    if name not in names:
        names.add(name, facet.span)


# CloudFormation type → (property naming the bucket, link recorded on the bucket)
_CFN_LINKS = {"AWS::S3::BucketPolicy": ("Bucket", "policies"), "AWS::CloudTrail::Trail": ("S3BucketName", "trail_logs")}


def links_from_cfn(resources: Any) -> dict[str, list[tuple[str, str]]]:
    """``{bucket logical id, literal name or raw_key: [(link, resource logical id)]}`` for the bucket
    policies and trails of a template's raw ``Resources`` (``Ref``/``GetAtt`` to the bucket, its
    name written out, or the same expression as the bucket's ``BucketName``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for logical, body in resources.items() if isinstance(resources, dict) else ():
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            out.setdefault(UNREADABLE, [])  # whatever it is (a module, a foreign tag), it may attach a policy
            continue
        if body["Type"] not in _CFN_LINKS:
            continue
        key, link = _CFN_LINKS[body["Type"]]
        props = body.get("Properties")
        target = props.get(key) if isinstance(props, dict) else None
        names = {target} if isinstance(target, str) else refs_in(target) | {raw_key(target)}
        for name in names:
            out.setdefault(name, []).append((link, str(logical)))
    return out


def raw_key(value: Any) -> str:
    """A key for a name written as an expression (``!Sub ${App}-${AWS::AccountId}``): a bucket
    policy or trail whose ``Bucket`` is written exactly as the bucket's ``BucketName`` names it."""
    return "raw:" + json.dumps(plain(value), sort_keys=True, default=str)


def public_access_block(src: LocDict, keys: tuple[str, ...], span: Span) -> LocDict:
    """The four Block Public Access flags of a written configuration, ``keys`` naming them in
    ``src`` (in :data:`PUBLIC_ACCESS_FLAGS` order). A flag the configuration leaves out is
    ``False``, located at ``span`` (where the configuration is written): S3 stores false for it."""
    out = sub(src, dict(zip(PUBLIC_ACCESS_FLAGS, keys)), span)
    for name in PUBLIC_ACCESS_FLAGS:
        if out[name] is None:
            out.put(name, False, span)
    return out


def bucket_from_cfn(props: LocDict, span: Span) -> LocDict:
    """The facet of an ``AWS::S3::Bucket``'s resolved properties."""
    facet = new_bucket(span)
    if is_set(props.get("BucketName")):
        facet.put("name", props["BucketName"], props.span_of("BucketName"), props.key_span_of("BucketName"))
    if is_set(props.get("AccessControl")):
        facet.put("acl", props["AccessControl"], props.span_of("AccessControl"))
    enc = props.get("BucketEncryption")
    if isinstance(enc, LocDict):
        encryption = LocDict(props.span_of("BucketEncryption"))
        algorithms, keys = LocList(encryption.span), LocList(encryption.span)
        rules = enc.get("ServerSideEncryptionConfiguration")
        for i, rule in enumerate(rules if isinstance(rules, LocList) else []):
            default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, LocDict) else None
            if isinstance(default, LocDict):
                if is_set(default.get("SSEAlgorithm")):
                    algorithms.add(default["SSEAlgorithm"], default.span_of("SSEAlgorithm"))
                if is_set(default.get("KMSMasterKeyID")):
                    keys.add(default["KMSMasterKeyID"], default.span_of("KMSMasterKeyID"))
        encryption.put("algorithms", algorithms, encryption.span)
        encryption.put("kms_key_ids", keys, encryption.span)
        facet.put("encryption", encryption, encryption.span, props.key_span_of("BucketEncryption"))
    pab = props.get("PublicAccessBlockConfiguration")
    if isinstance(pab, LocDict):
        facet.put(
            "public_access_block",
            public_access_block(pab, ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
                                props.key_span_of("PublicAccessBlockConfiguration")),
            props.span_of("PublicAccessBlockConfiguration"),
        )
    versioning = props.get("VersioningConfiguration")
    if isinstance(versioning, LocDict):
        facet.put("versioning", sub(versioning, {"status": "Status", "mfa_delete": "MfaDelete"}, span), props.span_of("VersioningConfiguration"))
    logging = props.get("LoggingConfiguration")
    if isinstance(logging, LocDict):
        facet.put("logging", sub(logging, {"target_bucket": "DestinationBucketName", "target_prefix": "LogFilePrefix"}, span), props.span_of("LoggingConfiguration"))
    cors = props.get("CorsConfiguration")
    if isinstance(cors, LocDict) and isinstance(cors.get("CorsRules"), LocList):
        rules_out = LocList(cors.span_of("CorsRules"))
        for i, rule in enumerate(cors["CorsRules"]):
            rules_out.add(sub(rule, {"allowed_origins": "AllowedOrigins", "allowed_methods": "AllowedMethods"}, span), cors["CorsRules"].span_of(i))
        facet.put("cors_rules", rules_out, rules_out.span)
    if isinstance(props.get("WebsiteConfiguration"), LocDict):
        facet.put("website", props["WebsiteConfiguration"], props.span_of("WebsiteConfiguration"))
    return facet


def mark_log_targets(buckets: list[tuple[str, LocDict]]) -> None:
    """Set ``access_log_target`` on each ``(identifier, facet)`` of one template or module: true
    for a bucket another bucket's logging names (by reference to ``identifier`` — a logical id or
    a Terraform address — or by bucket name), or whose ACL is ``LogDeliveryWrite``."""
    targets = [facet["logging"].get("target_bucket") for _, facet in buckets if isinstance(facet.get("logging"), dict)]
    for ident, facet in buckets:
        acl, name = facet.get("acl"), facet.get("name")
        hit = isinstance(acl, str) and acl.replace("-", "").lower() == "logdeliverywrite"
        for target in targets:
            hit = hit or (isinstance(target, Unknown) and ident in target.refs) \
                or (isinstance(target, str) and bool(target) and target == name)
        facet.put("access_log_target", hit, facet.span)
