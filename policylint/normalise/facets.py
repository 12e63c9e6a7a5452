"""The facets added for the rule pack, one entry point per source format.

``cfn_facets`` / ``tf_facets`` give the facets of one resource; ``cfn_template_facets`` those that
need the whole template (flow logs attached to a VPC, parameters, every string). Each facet's
shape is documented in its module and in docs/architecture.md.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..load.located import LocDict, Span
from . import cloudtrail, inputs, instance_metadata, kms, lambda_env, resource_meta, secret_values, secrets, storage, vpc

Facet = tuple[str, str, LocDict]  # (name suffix, kind, facet)


def cfn_facets(rtype: str, props: LocDict, span: Span) -> Iterator[Facet]:
    """New-kind facets of one resolved CloudFormation resource."""
    if rtype == "AWS::KMS::Key":
        yield "", kms.KMS_KEY, kms.key_from_cfn(props, span)
    elif rtype == "AWS::CloudTrail::Trail":
        yield "", cloudtrail.TRAIL, cloudtrail.trail_from_cfn(props, span)
    elif rtype == "AWS::EC2::Subnet":
        yield "", vpc.SUBNET, vpc.subnet_from_cfn(props, span)
    elif rtype in lambda_env.CFN_TYPES:
        yield "", lambda_env.LAMBDA_FUNCTION, lambda_env.function_from_cfn(props, span)
    for suffix, entry in vpc.nacl_entries_from_cfn(rtype, props, span):
        yield suffix, vpc.NACL_ENTRY, entry
    for rule in vpc.default_sg_rules_from_cfn(rtype, props, span):
        yield "", vpc.DEFAULT_SG_RULE, rule
    for suffix, found in secret_values.literals_from_cfn(rtype, props, span):
        yield suffix, secret_values.SECRET_LITERAL, found
    for suffix, volume in storage.volumes_from_cfn(rtype, props, span):
        yield suffix, storage.EBS_VOLUME, volume
    rds = storage.rds_from_cfn(rtype, props, span)
    if rds is not None:
        yield "", storage.RDS_STORAGE, rds
    options = instance_metadata.options_from_cfn(rtype, props, span)
    if options is not None:
        yield "", instance_metadata.METADATA_OPTIONS, options
    meta = resource_meta.meta_from_cfn(rtype, props, span)
    if meta is not None:
        yield "", resource_meta.RESOURCE_META, meta


def cfn_template_facets(template: LocDict, span: Span, source: LocDict | None = None) -> Iterator[tuple[str, str, LocDict]]:
    """``(name, kind, facet)`` of the facets built from a whole template (``source``: the template
    as written, when ``template`` is what a transform made of it: its strings are read there once).
    The ``cloudtrail.trails`` facet is built from the resolved trails, per ``Fn::If`` branch, by
    ``cloudformation.build_resources``."""
    resources = template.get("Resources")
    if isinstance(resources, LocDict):
        for logical, facet in vpc.vpcs_from_cfn(resources):
            yield logical, vpc.VPC, facet
    for name, facet in inputs.parameters_from_cfn(template):
        yield f"Parameters.{name}", inputs.INPUT_VARIABLE, facet
    yield "template", secrets.STRINGS, secrets.strings_facet(template if source is None else source, span)


def tf_facets(rtype: str, attrs: Any, span: Span) -> Iterator[Facet]:
    """New-kind facets of one Terraform resource (``attrs``: its located attributes, nested blocks
    as mappings or lists of mappings). Module-level facets are built with ``inputs.variable_from_tf``
    (variables), ``secrets.strings_facet`` (each file), ``vpc.vpc_facet`` (flow logs matched to
    ``aws_vpc`` resources) and ``resource_meta.meta_from_tf`` (with the provider's region)."""
    if rtype == "aws_kms_key":
        yield "", kms.KMS_KEY, kms.key_from_tf(attrs, span)
    elif rtype == "aws_cloudtrail":
        yield "", cloudtrail.TRAIL, cloudtrail.trail_from_tf(attrs, span)
    elif rtype == "aws_subnet":
        yield "", vpc.SUBNET, vpc.subnet_from_tf(attrs, span)
    elif rtype == "aws_lambda_function":
        yield "", lambda_env.LAMBDA_FUNCTION, lambda_env.function_from_tf(attrs, span)
    for suffix, entry in vpc.nacl_entries_from_tf(rtype, attrs, span):
        yield suffix, vpc.NACL_ENTRY, entry
    for suffix, rule in vpc.default_sg_rules_from_tf(rtype, attrs, span):
        yield suffix, vpc.DEFAULT_SG_RULE, rule
    for suffix, found in secret_values.literals_from_tf(rtype, attrs, span):
        yield suffix, secret_values.SECRET_LITERAL, found
    for suffix, volume in storage.volumes_from_tf(rtype, attrs, span):
        yield suffix, storage.EBS_VOLUME, volume
    rds = storage.rds_from_tf(rtype, attrs, span)
    if rds is not None:
        yield "", storage.RDS_STORAGE, rds
    options = instance_metadata.options_from_tf(rtype, attrs, span)
    if options is not None:
        yield "", instance_metadata.METADATA_OPTIONS, options
