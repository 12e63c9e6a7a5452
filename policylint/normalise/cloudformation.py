"""CloudFormation templates into the resource model.

Each template resource becomes one :class:`Resource` carrying its resolved properties; resources
of known types also yield normalised ones (policy documents, buckets, one security-group rule per
CIDR, the CIDRs of network resources). A resource that uses ``Fn::If`` is built twice, once per
branch, so that a violation in either branch is found (the evaluator drops duplicate findings).
"""
from __future__ import annotations

from typing import Any, Iterator

from ..load.located import LocDict, LocList, Span, Unknown
from ..model import IAM_POLICY, NETWORK, S3_BUCKET, SG_RULE, Resource
from . import attachments, cloudtrail, network, s3
from .facets import cfn_facets, cfn_template_facets
from .cfn_intrinsics import Resolver, uses_if
from .fields import entry_span
from .iam import normalise_policy
from .vpc import group_nacl_entries

FORMAT = "cloudformation"

# type → [(property path, attachment)]; "*" walks a list.
POLICY_LOCATIONS: dict[str, list[tuple[tuple[Any, ...], str]]] = {
    "AWS::IAM::Policy": [(("PolicyDocument",), "identity")],
    "AWS::IAM::ManagedPolicy": [(("PolicyDocument",), "identity")],
    "AWS::IAM::RolePolicy": [(("PolicyDocument",), "identity")],
    "AWS::IAM::UserPolicy": [(("PolicyDocument",), "identity")],
    "AWS::IAM::GroupPolicy": [(("PolicyDocument",), "identity")],
    "AWS::IAM::Role": [(("AssumeRolePolicyDocument",), "trust"), (("Policies", "*", "PolicyDocument"), "identity")],
    "AWS::IAM::User": [(("Policies", "*", "PolicyDocument"), "identity")],
    "AWS::IAM::Group": [(("Policies", "*", "PolicyDocument"), "identity")],
    "AWS::S3::BucketPolicy": [(("PolicyDocument",), "bucket")],
    "AWS::KMS::Key": [(("KeyPolicy",), "key")],
    "AWS::KMS::ReplicaKey": [(("KeyPolicy",), "key")],
    "AWS::SNS::TopicPolicy": [(("PolicyDocument",), "topic")],
    "AWS::SNS::TopicInlinePolicy": [(("PolicyDocument",), "topic")],
    "AWS::SQS::QueuePolicy": [(("PolicyDocument",), "queue")],
    "AWS::SQS::QueueInlinePolicy": [(("PolicyDocument",), "queue")],
    "AWS::ECR::Repository": [(("RepositoryPolicyText",), "resource")],
    "AWS::SecretsManager::ResourcePolicy": [(("ResourcePolicy",), "resource")],
    "AWS::S3::AccessPoint": [(("Policy",), "resource")],
    "AWS::EFS::FileSystem": [(("FileSystemPolicy",), "resource")],
    "AWS::ApiGateway::RestApi": [(("Policy",), "resource")],
    "AWS::OpenSearchService::Domain": [(("AccessPolicies",), "resource")],
    "AWS::Elasticsearch::Domain": [(("AccessPolicies",), "resource")],
    "AWS::Logs::ResourcePolicy": [(("PolicyDocument",), "resource")],
    "AWS::Backup::BackupVault": [(("AccessPolicy",), "resource")],
    "AWS::SSO::PermissionSet": [(("InlinePolicy",), "identity")],
    "AWS::Organizations::Policy": [(("Content",), "scp")],
}


def is_template(data: Any) -> bool:
    """Whether parsed data looks like a CloudFormation template."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in resources.values()
    )


def build_resources(template: LocDict, path: str, notices: list[str] | None = None,
                    origins: dict[str, str] | None = None, source: LocDict | None = None) -> list[Resource]:
    """Every resource of a template, raw and normalised; what is not followed (a nested SAM
    application) is added to ``notices``. ``origins`` names what generated a resource (for its
    messages); ``source`` is the file as written when ``template`` was made from it."""
    origins = dict(origins or {})
    source = template if source is None else source
    if _transformed(template):
        from .cfn_transforms import expand

        template = expand(template, path, origins, notices if notices is not None else [])
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return []
    resolvers = [Resolver(template, 0)]
    links = s3.links_from_cfn(resources)
    out: list[Resource] = []
    trails: dict[str, dict[int, LocDict]] = {}  # logical id → Fn::If branch → cloudtrail.trail facet
    written: dict[str, Any] = {}  # the trails' properties as written
    for logical, body in resources.items():
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            continue
        span = entry_span(resources, logical)
        properties = body.get("Properties")
        branches = [0, 1] if uses_if(properties) else [0]
        for branch in branches:
            if branch >= len(resolvers):
                resolvers.append(Resolver(template, branch))
            props = resolvers[branch].value(properties, body.span_of("Properties")) if properties is not None else None
            if not isinstance(props, LocDict):
                props = LocDict(body.span_of("Properties") if properties is not None else span)
            origin = origins.get(str(logical)) or _cdk_origin(body)
            bucket_links = links
            if body["Type"] == "AWS::S3::Bucket" and isinstance(properties, dict) and "BucketName" in properties \
                    and not isinstance(properties["BucketName"], str):
                bucket_links = dict(links)
                bucket_links[str(logical)] = links.get(str(logical), []) + links.get(s3.raw_key(properties["BucketName"]), [])
            built = list(_resources_of(str(logical), body["Type"], props, span, path, bucket_links, origin))
            for resource in built:
                if resource.kind == cloudtrail.TRAIL:
                    trails.setdefault(str(logical), {})[branch] = resource.props
                    written[str(logical)] = properties
            out.extend(built)
    if trails:
        first = entry_span(resources, next(logical for logical in resources if str(logical) in trails))
        for facet in cloudtrail.trails_facets(trails, written, first):
            out.append(Resource(cloudtrail.TRAILS, cloudtrail.TRAILS, "trails", path, facet.span, facet, FORMAT, raw=facet))
    s3.mark_log_targets([(r.name, r.props) for r in out if r.kind == S3_BUCKET])
    whole = template.span
    for name, kind, facet in cfn_template_facets(template, whole, source):
        out.append(Resource(kind, kind, name, path, facet.span, facet, FORMAT, raw=facet))
    group_nacl_entries(out)
    return out


def _transformed(template: LocDict) -> bool:
    """Whether a template needs a transform (SAM, language extensions) before it is read."""
    if "Transform" in template:
        return True
    found = template.get("Resources")
    return isinstance(found, dict) and any(
        isinstance(body, dict) and str(body.get("Type", "")).startswith("AWS::Serverless::") or str(key).startswith("Fn::ForEach")
        for key, body in found.items())


def _cdk_origin(body: LocDict) -> str | None:
    """The CDK construct path a synthesized resource records in ``aws:cdk:path``."""
    metadata = body.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return f"CDK construct {path}" if isinstance(path, str) else None


def _resources_of(
    logical: str, rtype: str, props: LocDict, span: Span, path: str, links: dict[str, list[tuple[str, str]]],
    origin: str | None = None,
) -> Iterator[Resource]:
    def make(kind: str | None, name: str, facet: LocDict, where: Span) -> Resource:
        return Resource(kind, rtype, name, path, where, facet, FORMAT, raw=props, origin=origin)

    yield make(None, logical, props, span)
    for prop_path, attachment in POLICY_LOCATIONS.get(rtype, ()):
        for suffix, doc, doc_span in _walk(props, prop_path, span):
            yield make(IAM_POLICY, logical + suffix, normalise_policy(doc, doc_span, attachment), doc_span)
    for suffix, kind, facet, where in attachments.from_cfn(rtype, props):
        yield make(kind, logical + suffix, facet, where)
    if rtype == "AWS::S3::Bucket":
        bucket = s3.bucket_from_cfn(props, span)
        name = bucket["name"]
        for link, other in links.get(logical, []) + (links.get(name, []) if isinstance(name, str) else []):
            s3.add_link(bucket, link, other)
        if s3.UNREADABLE in links and not bucket["policies"]:
            s3.add_unknown_policy(bucket)
        yield make(S3_BUCKET, logical, bucket, span)
    for suffix, rule in network.sg_rules_from_cfn(rtype, props, span):
        yield make(SG_RULE, logical + suffix, rule, rule.span)
    cidrs = network.cidrs_from_cfn(rtype, props)
    if cidrs is not None:
        yield make(NETWORK, logical, cidrs, span)
    for suffix, kind, facet in cfn_facets(rtype, props, span):
        yield make(kind, logical + suffix, facet, facet.span)


def _walk(value: Any, path: tuple[Any, ...], span: Span, suffix: str = "") -> Iterator[tuple[str, Any, Span]]:
    if not path:
        yield suffix, value, getattr(value, "span", span)
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, LocList):
            for i, item in enumerate(value):
                yield from _walk(item, rest, value.span_of(i), f"{suffix}[{i}]")
        return
    if isinstance(value, LocDict) and head in value and value[head] is not None:
        child = value[head]
        if isinstance(child, Unknown) and getattr(child, "data", None) is None:
            return
        yield from _walk(child, rest, value.span_of(head), f"{suffix}.{head}")
