"""The resource model every loader feeds and every rule reads.

A :class:`Resource` is one thing a rule can judge: a CloudFormation resource, a Terraform resource,
an IAM policy document found inside either (or in a file of its own), one security-group rule per
CIDR. ``kind`` names the normalised facet in ``props`` (the same shape whatever the source format);
``type`` is the provider's own type name and ``raw`` its properties as written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .load.located import LocDict, Span

# Normalised kinds (see docs/architecture.md for each facet's fields).
IAM_POLICY = "iam.policy"
IAM_ATTACHMENT = "iam.attachment"  # an AWS managed policy attached to a principal (normalise/attachments.py)
S3_BUCKET = "s3.bucket"
SG_RULE = "ec2.security_group_rule"
NETWORK = "network"  # any resource with CIDR-bearing fields: facet {cidrs: [...]}
DOCUMENT = "document"  # a whole JSON/YAML file named by a rule's `resource.files` globs


@dataclass
class Resource:
    """One judged object, with where it was written."""

    kind: str | None
    type: str
    name: str
    file: str
    span: Span
    props: LocDict
    format: str
    raw: Any = None
    origin: str | None = None  # what generated it (a SAM role, a Fn::ForEach loop, a CDK construct), in messages


@dataclass
class ParseProblem:
    """A file, or part of one, that could not be read."""

    file: str
    message: str
    span: Span


class Incomplete(ParseProblem):
    """A part of a file that could not be fully evaluated, and why (``PL0002``)."""
