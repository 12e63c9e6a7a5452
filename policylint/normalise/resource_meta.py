"""Governance facet (kind ``resource.meta``): ``{name, tags, tag_keys, regions}`` of a taggable
resource — its physical name where the template sets one, its tags as a mapping and their keys as a
list, and the AWS regions it names (from availability zones and ``Region`` settings; for Terraform
also the provider's ``region``)."""
from __future__ import annotations

import re
from typing import Any

from ..load.located import LocDict, LocList, Span

RESOURCE_META = "resource.meta"

# Properties that give a resource its physical name, in order of preference.
CFN_NAME_KEYS = (
    "BucketName", "RoleName", "FunctionName", "TableName", "QueueName", "TopicName", "DBInstanceIdentifier",
    "DBClusterIdentifier", "ClusterName", "GroupName", "UserName", "RepositoryName", "LogGroupName",
    "StateMachineName", "SecretName", "KeyName", "Name",
)
TF_NAME_KEYS = ("bucket", "name", "function_name", "identifier", "cluster_identifier", "cluster_name")
# CloudFormation types that accept tags but are often written without any.
CFN_TAGGABLE = frozenset({
    "AWS::S3::Bucket", "AWS::EC2::Instance", "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup",
    "AWS::EC2::Volume", "AWS::EC2::LaunchTemplate", "AWS::EC2::InternetGateway", "AWS::EC2::NatGateway",
    "AWS::EC2::RouteTable", "AWS::EC2::NetworkAcl", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
    "AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::KMS::Key",
    "AWS::IAM::Role", "AWS::IAM::User", "AWS::CloudTrail::Trail", "AWS::ECS::Cluster", "AWS::EKS::Cluster",
    "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::Logs::LogGroup", "AWS::SecretsManager::Secret",
    "AWS::ECR::Repository", "AWS::StepFunctions::StateMachine", "AWS::EFS::FileSystem",
})
_ZONE = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d)[a-z]$")


def _tags(raw: Any, span: Span) -> LocDict:
    """``Tags`` written as a list of ``{Key, Value}`` (most types) or as a mapping (SAM, SSM)."""
    tags = LocDict(getattr(raw, "span", span))
    if isinstance(raw, LocList):
        for i, item in enumerate(raw):
            if isinstance(item, LocDict) and isinstance(item.get("Key"), str):
                tags.put(item["Key"], item.get("Value"), item.span_of("Value"), item.span_of("Key"))
    elif isinstance(raw, LocDict):
        for key, value in raw.items():
            tags.put(key, value, raw.span_of(key), raw.key_span_of(key))
    return tags


def meta(name: Any, name_span: Span, tags: LocDict, regions: list[tuple[str, Span]], span: Span) -> LocDict:
    """One facet."""
    out = LocDict(span)
    out.put("name", name, name_span)
    out.put("tags", tags, tags.span)
    keys = LocList(tags.span)
    for key in tags:
        keys.add(key, tags.key_span_of(key))
    out.put("tag_keys", keys, tags.span)
    found = LocList(span)
    for region, where in regions:
        found.add(region, where)
    out.put("regions", found, span)
    return out


def _regions(props: LocDict) -> list[tuple[str, Span]]:
    out = []
    for key in ("AvailabilityZone", "Region"):
        value = props.get(key)
        if isinstance(value, str):
            zone = _ZONE.match(value)
            out.append((zone.group(1) if zone else value, props.span_of(key)))
    zones = props.get("AvailabilityZones")
    if isinstance(zones, LocList):
        for i, value in enumerate(zones):
            zone = _ZONE.match(value) if isinstance(value, str) else None
            if zone:
                out.append((zone.group(1), zones.span_of(i)))
    return out


def meta_from_cfn(rtype: str, props: LocDict, span: Span) -> LocDict | None:
    """The facet of a taggable CloudFormation resource (a known type, or any with ``Tags``)."""
    if rtype not in CFN_TAGGABLE and "Tags" not in props:
        return None
    name_key = next((k for k in CFN_NAME_KEYS if k in props), None)
    name = props[name_key] if name_key else None
    name_span = props.span_of(name_key) if name_key else span
    return meta(name, name_span, _tags(props.get("Tags"), span), _regions(props), span)


def meta_from_tf(attrs: Any, span: Span, provider_region: tuple[Any, Span] | None = None) -> LocDict:
    """The facet of a Terraform resource (``tags`` is a mapping); ``provider_region`` is the
    region of the provider configuration it uses, with where that was written."""
    name_key = next((k for k in TF_NAME_KEYS if isinstance(attrs, dict) and k in attrs), None)
    name = attrs[name_key] if name_key else None
    name_span = attrs.span_of(name_key) if name_key and isinstance(attrs, LocDict) else span
    raw_tags = attrs.get("tags") if isinstance(attrs, dict) else None
    regions = []
    if provider_region and isinstance(provider_region[0], str):
        regions.append((provider_region[0], provider_region[1]))
    zone = attrs.get("availability_zone") if isinstance(attrs, dict) else None
    if isinstance(zone, str) and _ZONE.match(zone):
        regions.append((_ZONE.match(zone).group(1), attrs.span_of("availability_zone")))
    return meta(name, name_span, _tags(raw_tags, span), regions, span)
