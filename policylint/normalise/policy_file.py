"""A file that is itself a policy document (identity, bucket, key, SCP or trust policy)."""
from __future__ import annotations

from ..load.located import LocDict, Span
from ..model import IAM_POLICY, Resource
from .iam import normalise_policy


def build_resources(data: LocDict, path: str) -> list[Resource]:
    """The one policy resource of a policy file."""
    span = data.span or Span(1, 1, 1, 1)
    facet = normalise_policy(data, span, "unknown")
    return [Resource(IAM_POLICY, "iam-policy-document", path, path, span, facet, "policy", raw=data)]
