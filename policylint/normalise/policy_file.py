"""A file that is itself a policy document (identity, bucket, key, SCP or trust policy)."""
from __future__ import annotations

from ..load.located import LocDict
from ..model import IAM_POLICY, Resource
from .iam import normalise_policy


def build_resources(data: LocDict, path: str) -> list[Resource]:
    """The one policy resource of a policy file."""
    span = data.span
    facet = normalise_policy(data, span, "unknown")
    attachment = infer_attachment(facet)
    if attachment == "key":  # what a statement means depends on it (the AWS default key statement)
        facet = normalise_policy(data, span, attachment)
    facet["attachment"] = attachment
    return [Resource(IAM_POLICY, "iam-policy-document", path, path, span, facet, "policy", raw=data)]


def infer_attachment(facet: LocDict) -> str:
    """What a stand-alone policy file most likely is, from its statements: ``trust`` when every
    statement with a principal only assumes roles, ``key`` when every statement has a principal,
    only KMS actions and only the resource ``*`` (a key policy's resource is the key itself),
    ``bucket`` when every statement has a principal and only S3 resources; otherwise ``unknown``
    (an identity policy, an SCP, ...)."""
    statements = [s for s in facet.get("statements") or [] if isinstance(s, dict)]
    if not statements or not all(s.get("principal") is not None or s.get("not_principal") is not None for s in statements):
        return "unknown"
    actions = [a for s in statements for a in (s.get("actions") or [])]
    if actions and all(isinstance(a, str) and a.startswith("sts:assumerole") for a in actions):
        return "trust"
    resources = [r for s in statements for r in (s.get("resources") or [])]
    every_action = [a for s in statements for a in (s.get("actions") or []) + (s.get("not_actions") or [])]
    if (every_action and all(isinstance(a, str) and a.startswith("kms:") for a in every_action)
            and resources == ["*"] * len(statements)
            and not any(s.get("not_resources") is not None for s in statements)):
        return "key"
    if resources and all(isinstance(r, str) and r.startswith("arn:aws:s3:::") for r in resources):
        return "bucket"
    return "unknown"
