"""Terraform resources (from HCL or from a plan) into the normalised facets.

Input is a resource's evaluated properties: attributes as values, nested blocks as lists of
mappings — the shape both ``.tf`` evaluation and ``terraform show -json`` give. The facet builders
of ``normalise/iam.py``, ``s3.py`` and ``network.py`` do the rest, so a Terraform policy, bucket or
security-group rule looks exactly like a CloudFormation one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ...load.located import LocDict, LocList, Span, Unknown
from ...model import IAM_POLICY, NETWORK, S3_BUCKET, SG_RULE, Resource
from .. import attachments, cloudtrail, network, s3
from ..facets import tf_facets
from ..fields import blocks, is_set, sub
from ..iam import normalise_policy
from ..resource_meta import RESOURCE_META, meta_from_tf
from ..vpc import NACL_ENTRY, VPC, group_nacl_entries, vpc_facet
from .values import decoded

# type → [(attribute path, attachment)]; a path step "*" walks every nested block of that name.
POLICY_ATTRIBUTES: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "aws_iam_policy": [(("policy",), "identity")],
    "aws_iam_role_policy": [(("policy",), "identity")],
    "aws_iam_user_policy": [(("policy",), "identity")],
    "aws_iam_group_policy": [(("policy",), "identity")],
    "aws_iam_role": [(("assume_role_policy",), "trust"), (("inline_policy", "*", "policy"), "identity")],
    "aws_s3_bucket_policy": [(("policy",), "bucket")],
    "aws_s3_bucket": [(("policy",), "bucket")],
    "aws_s3control_bucket_policy": [(("policy",), "bucket")],
    "aws_s3_access_point": [(("policy",), "resource")],
    "aws_s3control_access_point_policy": [(("policy",), "resource")],
    "aws_kms_key": [(("policy",), "key")],
    "aws_kms_key_policy": [(("policy",), "key")],
    "aws_kms_replica_key": [(("policy",), "key")],
    "aws_sqs_queue": [(("policy",), "queue")],
    "aws_sqs_queue_policy": [(("policy",), "queue")],
    "aws_sns_topic": [(("policy",), "topic")],
    "aws_sns_topic_policy": [(("policy",), "topic")],
    "aws_ecr_repository_policy": [(("policy",), "resource")],
    "aws_ecr_registry_policy": [(("policy",), "resource")],
    "aws_secretsmanager_secret": [(("policy",), "resource")],
    "aws_secretsmanager_secret_policy": [(("policy",), "resource")],
    "aws_efs_file_system_policy": [(("policy",), "resource")],
    "aws_api_gateway_rest_api": [(("policy",), "resource")],
    "aws_api_gateway_rest_api_policy": [(("policy",), "resource")],
    "aws_opensearch_domain": [(("access_policies",), "resource")],
    "aws_opensearch_domain_policy": [(("access_policies",), "resource")],
    "aws_elasticsearch_domain": [(("access_policies",), "resource")],
    "aws_elasticsearch_domain_policy": [(("access_policies",), "resource")],
    "aws_cloudwatch_log_resource_policy": [(("policy_document",), "resource")],
    "aws_cloudwatch_log_destination_policy": [(("access_policy",), "resource")],
    "aws_backup_vault_policy": [(("policy",), "resource")],
    "aws_glacier_vault": [(("access_policy",), "resource")],
    "aws_ssoadmin_permission_set_inline_policy": [(("inline_policy",), "identity")],
    "aws_organizations_policy": [(("content",), "scp")],
    "aws_iam_policy_document": [(("json",), "unknown")],  # a plan's rendered data source
    # the provider's equivalents of the CloudFormation policy properties (normalise/policy_properties.json)
    "aws_vpc_endpoint": [(("policy",), "endpoint")],
    "aws_vpc_endpoint_policy": [(("policy",), "endpoint")],
    "aws_api_gateway_domain_name": [(("policy",), "resource")],
    "aws_iot_policy": [(("policy",), "identity")],
    "aws_dynamodb_resource_policy": [(("policy",), "resource")],
    "aws_cloudwatch_event_bus_policy": [(("policy",), "resource")],
    "aws_kinesis_resource_policy": [(("policy",), "resource")],
    "aws_codeartifact_domain_permissions_policy": [(("policy_document",), "resource")],
    "aws_codeartifact_repository_permissions_policy": [(("policy_document",), "resource")],
    "aws_ecrpublic_repository_policy": [(("policy",), "resource")],
    "aws_ecr_repository_creation_template": [(("repository_policy",), "resource")],
    "aws_media_store_container_policy": [(("policy",), "resource")],
    "aws_msk_cluster_policy": [(("policy",), "resource")],
    "aws_networkfirewall_resource_policy": [(("policy",), "resource")],
    "aws_oam_sink_policy": [(("policy",), "resource")],
    "aws_redshift_resource_policy": [(("policy",), "resource")],
    "aws_redshiftserverless_resource_policy": [(("policy",), "resource")],
    "aws_glue_resource_policy": [(("policy",), "resource")],
    "aws_s3control_multi_region_access_point_policy": [(("details", "*", "policy"), "resource")],
    "aws_s3control_object_lambda_access_point_policy": [(("policy",), "resource")],
    "aws_s3tables_table_bucket_policy": [(("resource_policy",), "resource")],
    "aws_s3tables_table_policy": [(("resource_policy",), "resource")],
    "aws_sagemaker_model_package_group_policy": [(("resource_policy",), "resource")],
    "aws_schemas_registry_policy": [(("policy",), "resource")],
    "aws_vpclattice_auth_policy": [(("policy",), "resource")],
    "aws_vpclattice_resource_policy": [(("policy",), "resource")],
    "aws_xray_resource_policy": [(("policy_document",), "resource")],
}

# type → CIDR-bearing attributes ("block.attr" looks inside nested blocks); values may be lists.
CIDR_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_vpc": ("cidr_block", "ipv6_cidr_block"),
    "aws_vpc_ipv4_cidr_block_association": ("cidr_block",),
    "aws_vpc_ipv6_cidr_block_association": ("ipv6_cidr_block",),
    "aws_subnet": ("cidr_block", "ipv6_cidr_block"),
    "aws_default_subnet": ("cidr_block", "ipv6_cidr_block"),
    "aws_network_acl_rule": ("cidr_block", "ipv6_cidr_block"),
    "aws_network_acl": ("ingress.cidr_block", "ingress.ipv6_cidr_block", "egress.cidr_block", "egress.ipv6_cidr_block"),
    "aws_default_network_acl": ("ingress.cidr_block", "ingress.ipv6_cidr_block", "egress.cidr_block", "egress.ipv6_cidr_block"),
    "aws_route": ("destination_cidr_block", "destination_ipv6_cidr_block"),
    "aws_route_table": ("route.cidr_block", "route.ipv6_cidr_block"),
    "aws_default_route_table": ("route.cidr_block", "route.ipv6_cidr_block"),
    "aws_security_group": ("ingress.cidr_blocks", "ingress.ipv6_cidr_blocks", "egress.cidr_blocks", "egress.ipv6_cidr_blocks"),
    "aws_default_security_group": ("ingress.cidr_blocks", "ingress.ipv6_cidr_blocks", "egress.cidr_blocks", "egress.ipv6_cidr_blocks"),
    "aws_security_group_rule": ("cidr_blocks", "ipv6_cidr_blocks"),
    "aws_vpc_security_group_ingress_rule": ("cidr_ipv4", "cidr_ipv6"),
    "aws_vpc_security_group_egress_rule": ("cidr_ipv4", "cidr_ipv6"),
    "aws_ec2_client_vpn_endpoint": ("client_cidr_block",),
    "aws_ec2_client_vpn_route": ("destination_cidr_block",),
    "aws_ec2_client_vpn_authorization_rule": ("target_network_cidr",),
    "aws_ec2_transit_gateway_route": ("destination_cidr_block",),
}

S3_COMPANIONS = {
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning", "aws_s3_bucket_logging", "aws_s3_bucket_acl",
    "aws_s3_bucket_cors_configuration", "aws_s3_bucket_website_configuration",
}


@dataclass
class Source:
    """One Terraform resource ready for the model: ``local`` is its address inside its module
    (what references name), ``name`` its full address."""

    type: str
    local: str
    name: str
    file: str
    span: Span
    props: LocDict
    format: str
    module_key: str = ""  # resources link to buckets only within the same module instance
    extra: dict[str, Any] = field(default_factory=dict)

    def make(self, kind: str | None, name: str, facet: LocDict, span: Span) -> Resource:
        return Resource(kind, self.type, name, self.file, span, facet, self.format, raw=self.props)


def resources_of(sources: list[Source], lookups: dict[str, Any] | None = None) -> list[Resource]:
    """The raw and normalised resources of a module's (or a plan's) resources; ``lookups``: the
    ``data "aws_iam_policy"`` sources of the module, address → the ARN or name they look up."""
    return list(iter_resources(sources, lookups))


# What the facets built from several resources read (buckets and what configures or logs into
# them, VPCs and their flow logs, trails): only these sources are kept until the end.
_LINKED_TYPES = frozenset({"aws_s3_bucket", "aws_flow_log", "aws_vpc", "aws_cloudtrail", *S3_COMPANIONS})


def iter_resources(sources: Iterable[Source], lookups: dict[str, Any] | None = None) -> Iterator[Resource]:
    """:func:`resources_of` one source at a time: each source's own resources as soon as it is
    read (so that they, and a source no other resource needs, may be dropped once judged), then
    those built from several sources — buckets with their companions, VPCs with their flow logs,
    trails — and the network ACL entries, which are grouped once all are known."""
    lookups = lookups or {}
    linked: list[Source] = []
    entries: list[Resource] = []
    for source in sources:
        if source.type in _LINKED_TYPES or source.type in _S3_LINKS:
            linked.append(source)
        for resource in _own_resources(source, lookups):
            if resource.kind == NACL_ENTRY:
                entries.append(resource)
            else:
                yield resource
    yield from _buckets(linked)
    yield from _vpcs(linked)
    yield from _trails(linked)
    group_nacl_entries(entries)
    yield from entries


def _own_resources(source: Source, lookups: dict[str, Any]) -> Iterator[Resource]:
    """The resources of one source alone: raw, policies, attachments, security-group rules,
    CIDRs, the rule pack's facets and the resource's metadata."""
    yield source.make(None, source.name, source.props, source.span)
    yield from _policies(source)
    for suffix, kind, facet, span in attachments.from_tf(source.type, source.props, lookups):
        yield source.make(kind, source.name + suffix, facet, span)
    yield from _security_group_rules(source)
    cidrs = _cidrs(source)
    if cidrs is not None:
        yield source.make(NETWORK, source.name, cidrs, source.span)
    for suffix, kind, facet in tf_facets(source.type, source.props, source.span):
        yield source.make(kind, source.name + suffix, facet, getattr(facet, "span", None) or source.span)
    if not source.local.startswith("data."):
        meta = meta_from_tf(source.props, source.span, source.extra.get("provider_region"))
        yield source.make(RESOURCE_META, source.name, meta, source.span)


def _trails(sources: list[Source]) -> Iterator[Resource]:
    """One ``cloudtrail.trails`` facet for the module's (or plan's) ``aws_cloudtrail`` resources."""
    trails = [s for s in sources if s.type == "aws_cloudtrail"]
    if trails:
        built = [(t.name, cloudtrail.trail_from_tf(t.props, t.span)) for t in trails]
        yield trails[0].make(cloudtrail.TRAILS, "trails", cloudtrail.trails_facet(built, trails[0].span), trails[0].span)


def _vpcs(sources: list[Source]) -> Iterator[Resource]:
    """``ec2.vpc`` facets: each ``aws_vpc`` with the ``aws_flow_log`` resources that refer to it."""
    logs: dict[str, list[str]] = {}  # VPC address → the flow logs that refer to it, in order
    for log in (s for s in sources if s.type == "aws_flow_log"):
        vpc_id = log.props.get("vpc_id")
        for ref in dict.fromkeys(vpc_id.refs) if isinstance(vpc_id, Unknown) else ():
            logs.setdefault(ref, []).append(log.name)
    for vpc in (s for s in sources if s.type == "aws_vpc"):
        yield vpc.make(VPC, vpc.name, vpc_facet(list(logs.get(vpc.name, ())), vpc.span), vpc.span)


def _policies(source: Source) -> Iterator[Resource]:
    for path, attachment in POLICY_ATTRIBUTES.get(source.type, ()):
        for suffix, value, span in _walk(source.props, path, source.span):
            doc = decoded(value)
            if doc is None or doc == "" or isinstance(doc, Unknown):
                continue
            doc_span = getattr(doc, "span", span)
            yield source.make(IAM_POLICY, source.name + suffix, normalise_policy(doc, doc_span, attachment), doc_span)


def _walk(props: Any, path: tuple[str, ...], span: Span, suffix: str = "") -> Iterator[tuple[str, Any, Span]]:
    head, rest = path[0], path[1:]
    if rest and rest[0] == "*":
        for i, (block, block_span) in enumerate(blocks(props, head)):
            yield from _walk(block, rest[1:], block_span, f"{suffix}.{head}[{i}]")
        return
    if isinstance(props, LocDict) and head in props and props[head] is not None:
        if rest:
            yield from _walk(props[head], rest, props.span_of(head), f"{suffix}.{head}")
        else:
            yield f"{suffix}.{head}", props[head], props.span_of(head)


def _items(value: Any, span: Span) -> list[tuple[Any, Span]]:
    """A scalar or a list's items, with spans (``None`` and empty strings skipped)."""
    if isinstance(value, LocList):
        pairs = [(v, value.span_of(i)) for i, v in enumerate(value)]
    elif isinstance(value, list):
        pairs = [(v, span) for v in value]
    else:
        pairs = [(value, span)]
    return [(v, s) for v, s in pairs if v is not None and v != ""]


def _security_group_rules(source: Source) -> Iterator[Resource]:
    props = source.props
    if source.type in ("aws_security_group", "aws_default_security_group"):
        for direction in ("ingress", "egress"):
            for i, (block, block_span) in enumerate(blocks(props, direction)):
                yield from _rules(source, block, block_span, direction, f".{direction}[{i}]", None)
    elif source.type == "aws_security_group_rule":
        direction = props.get("type")
        yield from _rules(source, props, source.span, direction, "", props.get("security_group_id"))
    elif source.type in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        direction = "ingress" if "ingress" in source.type else "egress"
        spans = {"protocol": props.span_of("ip_protocol"), "from_port": props.span_of("from_port"),
                 "to_port": props.span_of("to_port")}
        for key, version in (("cidr_ipv4", 4), ("cidr_ipv6", 6)):
            for cidr, cidr_span in _items(props.get(key), props.span_of(key)):
                rule = network.sg_rule(direction, props.get("ip_protocol"), props.get("from_port"), props.get("to_port"),
                                       cidr, cidr_span, source.span, version, props.get("security_group_id"),
                                       props.get("description"), spans)
                yield source.make(SG_RULE, f"{source.name}.{key}", rule, rule.span)


def _rules(source: Source, entry: LocDict, span: Span, direction: Any, suffix: str, group: Any) -> Iterator[Resource]:
    spans = {"protocol": entry.span_of("protocol"), "from_port": entry.span_of("from_port"),
             "to_port": entry.span_of("to_port")}
    made = []
    for key, version in (("cidr_blocks", 4), ("ipv6_cidr_blocks", 6)):
        for j, (cidr, cidr_span) in enumerate(_items(entry.get(key), entry.span_of(key))):
            rule = network.sg_rule(direction, entry.get("protocol"), entry.get("from_port"), entry.get("to_port"),
                                   cidr, cidr_span, span, version, group, entry.get("description"), spans)
            made.append(source.make(SG_RULE, f"{source.name}{suffix}.{key}[{j}]", rule, rule.span))
    network.mark_world_groups([r.props for r in made])
    yield from made


def _cidrs(source: Source) -> LocDict | None:
    fields = CIDR_ATTRIBUTES.get(source.type)
    if fields is None:
        return None
    facet = network.cidr_facet(source.span)
    cidrs: LocList = facet["cidrs"]
    for field_path in fields:
        if "." in field_path:
            block_name, attr = field_path.split(".")
            containers = [block for block, _ in blocks(source.props, block_name)]
        else:
            attr, containers = field_path, [source.props]
        for container in containers:
            if attr in container:
                for cidr, span in _items(container[attr], container.span_of(attr)):
                    cidrs.add(cidr, span)
    return facet


# -- S3: the bucket and its companion resources -------------------------------------------------

def _buckets(sources: list[Source]) -> Iterator[Resource]:
    buckets = [s for s in sources if s.type == "aws_s3_bucket"]
    facets = {id(b): _bucket_facet(b) for b in buckets}
    index = _BucketIndex(buckets)
    for companion in sources:
        if companion.type in S3_COMPANIONS:
            for bucket in index.linked(companion):
                _apply_companion(facets[id(bucket)], companion)
        elif companion.type in _S3_LINKS:
            key, link = _S3_LINKS[companion.type]
            for bucket in index.linked(companion, key):
                s3.add_link(facets[id(bucket)], link, companion.name)
    s3.mark_log_targets([(b.name, facets[id(b)]) for b in buckets])
    for bucket in buckets:
        if is_set(bucket.props.get("policy")):
            s3.add_link(facets[id(bucket)], "policies", bucket.name)
        yield bucket.make(S3_BUCKET, bucket.name, facets[id(bucket)], bucket.span)


# type → (argument naming the bucket, link recorded on the bucket facet)
_S3_LINKS = {"aws_s3_bucket_policy": ("bucket", "policies"), "aws_cloudtrail": ("s3_bucket_name", "trail_logs")}


_EXPRESSION = "\x00expr:"  # by_name keys of unknown names: never a bucket name


class _BucketIndex:
    """The buckets of a module by address and by (bucket name, module instance), so that linking
    each companion costs the same however many buckets there are."""

    def __init__(self, buckets: list[Source]):
        self.by_address: dict[str, list[int]] = {}
        self.by_name: dict[tuple[str, str], list[int]] = {}
        self.buckets = buckets
        for i, bucket in enumerate(buckets):
            self.by_address.setdefault(bucket.name, []).append(i)
            name = bucket.props.get("bucket")
            if isinstance(name, str) and name:
                self.by_name.setdefault((name, bucket.module_key), []).append(i)
            elif isinstance(name, Unknown) and name.text:
                # A name that cannot be computed (a conditional, a variable) links through the
                # expression itself: a companion naming the bucket with the same expression.
                self.by_name.setdefault((_EXPRESSION + name.text, bucket.module_key), []).append(i)

    def linked(self, companion: Source, key: str = "bucket") -> list[Source]:
        """Buckets a companion resource configures (or a trail logs into, ``key``): by reference
        (``aws_s3_bucket.x.id``) or name, in the buckets' order."""
        target = companion.props.get(key)
        if isinstance(target, Unknown):
            found = sorted({i for ref in target.refs for i in self.by_address.get(ref, ())}
                           | set(self.by_name.get((_EXPRESSION + target.text, companion.module_key), ())))
        elif isinstance(target, str) and target:
            found = self.by_name.get((str(target), companion.module_key), [])
        else:
            found = []
        return [self.buckets[i] for i in found]


def refers_to(value: Any, target: Source) -> bool:
    """Whether ``value`` (a resource's argument) depends on resource ``target``, in the same module
    instance or through module outputs and inputs."""
    return isinstance(value, Unknown) and target.name in value.refs


def _bucket_facet(bucket: Source) -> LocDict:
    props = bucket.props
    facet = s3.new_bucket(bucket.span)
    if is_set(props.get("bucket")):
        facet.put("name", props["bucket"], props.span_of("bucket"), props.key_span_of("bucket"))
    if is_set(props.get("acl")):
        facet.put("acl", props["acl"], props.span_of("acl"), props.key_span_of("acl"))
    for block, span in blocks(props, "server_side_encryption_configuration"):
        facet.put("encryption", _encryption(block, span), span, props.key_span_of("server_side_encryption_configuration"))
    for block, span in blocks(props, "versioning"):
        versioning = sub(block, {"mfa_delete": "mfa_delete"}, span)
        enabled = block.get("enabled")
        status = ("Enabled" if enabled else "Suspended") if isinstance(enabled, bool) else enabled
        versioning.put("status", status, block.span_of("enabled"))
        facet.put("versioning", versioning, span)
    for block, span in blocks(props, "logging"):
        facet.put("logging", sub(block, {"target_bucket": "target_bucket", "target_prefix": "target_prefix"}, span), span)
    cors = blocks(props, "cors_rule")
    if cors:
        facet.put("cors_rules", _cors(cors, props.span_of("cors_rule")), props.span_of("cors_rule"))
    for block, span in blocks(props, "website"):
        facet.put("website", block, span)
    return facet


def _encryption(block: LocDict, span: Span) -> LocDict:
    encryption = LocDict(span)
    algorithms, keys = LocList(span), LocList(span)
    for rule, _ in blocks(block, "rule"):
        for default, _ in blocks(rule, "apply_server_side_encryption_by_default"):
            if is_set(default.get("sse_algorithm")):
                algorithms.add(default["sse_algorithm"], default.span_of("sse_algorithm"))
            if is_set(default.get("kms_master_key_id")):
                keys.add(default["kms_master_key_id"], default.span_of("kms_master_key_id"))
    encryption.put("algorithms", algorithms, span)
    encryption.put("kms_key_ids", keys, span)
    return encryption


def _cors(found: list[tuple[LocDict, Span]], span: Span) -> LocList:
    rules = LocList(span)
    for block, block_span in found:
        rules.add(sub(block, {"allowed_origins": "allowed_origins", "allowed_methods": "allowed_methods"}, block_span), block_span)
    return rules


def _apply_companion(facet: LocDict, companion: Source) -> None:
    props, span = companion.props, companion.span
    if companion.type == "aws_s3_bucket_server_side_encryption_configuration":
        facet.put("encryption", _encryption(props, span), span)
    elif companion.type == "aws_s3_bucket_public_access_block":
        facet.put("public_access_block", s3.public_access_block(props, s3.PUBLIC_ACCESS_FLAGS, span), span)
    elif companion.type == "aws_s3_bucket_versioning":
        for block, block_span in blocks(props, "versioning_configuration"):
            facet.put("versioning", sub(block, {"status": "status", "mfa_delete": "mfa_delete"}, block_span), block_span)
    elif companion.type == "aws_s3_bucket_logging":
        facet.put("logging", sub(props, {"target_bucket": "target_bucket", "target_prefix": "target_prefix"}, span), span)
    elif companion.type == "aws_s3_bucket_acl":
        if is_set(props.get("acl")):
            facet.put("acl", props["acl"], props.span_of("acl"), props.key_span_of("acl"))
    elif companion.type == "aws_s3_bucket_cors_configuration":
        facet.put("cors_rules", _cors(blocks(props, "cors_rule"), span), span)
    elif companion.type == "aws_s3_bucket_website_configuration":
        facet.put("website", props, span)
