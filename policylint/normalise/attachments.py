"""Managed-policy attachments into policy facets: an attached AWS managed policy is judged as the
statements it attaches.

Each attachment of an AWS managed policy — CloudFormation ``ManagedPolicyArns`` on a role, user or
group (SAM's generated roles too), ``ManagedPolicies`` of an SSO permission set; Terraform
``aws_iam_role_policy_attachment``, ``aws_iam_user_policy_attachment``,
``aws_iam_group_policy_attachment``, ``aws_iam_policy_attachment``, ``managed_policy_arns`` /
``aws_iam_role_policy_attachments_exclusive`` and ``data "aws_iam_policy"`` lookups — becomes an
``iam.policy`` facet holding the policy's document from the offline catalogue
(:mod:`policylint.iam.managed`), every span of it the span of the ARN or name that attaches it, and
a note naming the policy, so a finding points at the attachment and says which policy it is.
The facet carries ``managed_policy`` (the name) and ``attached_to`` (role, user, group, …).

Each attachment also yields an ``iam.attachment`` facet — ``{managed_policy, attached_to, reference,
policy}`` (``policy``: the policy facet above) — for rules about the attachment itself (PL1011).
"""
from __future__ import annotations

from typing import Any, Iterator

from ..load.located import LocDict, LocList, Span, Unknown, relocate
from ..model import IAM_ATTACHMENT, IAM_POLICY
from .iam import normalise_policy

# CloudFormation type → (property holding a list of ARNs, what the policy is attached to).
CFN_ATTACHMENTS: dict[str, tuple[str, str]] = {
    "AWS::IAM::Role": ("ManagedPolicyArns", "role"),
    "AWS::IAM::User": ("ManagedPolicyArns", "user"),
    "AWS::IAM::Group": ("ManagedPolicyArns", "group"),
    "AWS::SSO::PermissionSet": ("ManagedPolicies", "permission set"),
}

# Terraform type → (attribute holding one ARN or a list of them, what it is attached to).
TF_ATTACHMENTS: dict[str, tuple[str, str]] = {
    "aws_iam_role_policy_attachment": ("policy_arn", "role"),
    "aws_iam_user_policy_attachment": ("policy_arn", "user"),
    "aws_iam_group_policy_attachment": ("policy_arn", "group"),
    "aws_iam_policy_attachment": ("policy_arn", "principal"),
    "aws_iam_role": ("managed_policy_arns", "role"),
    "aws_iam_role_policy_attachments_exclusive": ("policy_arns", "role"),
    "aws_ssoadmin_managed_policy_attachment": ("managed_policy_arn", "permission set"),
}

Attached = tuple[str, str, LocDict, Span]  # (name suffix, kind, facet, span of the reference)


def _reference_text(value: Any) -> Any:
    """A reference as text: a string, or an unresolved value written as an AWS managed policy ARN
    (``arn:${data.aws_partition.current.partition}:iam::aws:policy/X``)."""
    return value.text.strip('"') if isinstance(value, Unknown) else value


def attached_facet(reference: Any, span: Span, attached_to: str) -> LocDict | None:
    """The policy facet of the AWS managed policy ``reference`` names, located at ``span``;
    ``None`` when it names no policy of the catalogue (customer policies are judged where they
    are declared)."""
    text = _reference_text(reference)
    if not isinstance(text, str) or not text.strip():
        return None
    from ..iam import managed  # noqa: PLC0415 - the catalogue is read only when an attachment is met

    found = managed.lookup(text)
    if found is None:
        return None
    note = f"in AWS managed policy {found.name}, {found.version} of {found.updated}"
    where = span.with_note(f"{note}; {span.note}" if span.note else note)
    facet = normalise_policy(relocate(found.document, where), where, "identity")
    facet.put("managed_policy", found.name, where)
    facet.put("attached_to", attached_to, where)
    return facet


def _both(suffix: str, reference: Any, facet: LocDict, span: Span) -> Iterator[Attached]:
    yield suffix, IAM_POLICY, facet, span
    where = facet.span  # the reference's span, with the note naming the policy
    attachment = LocDict(where)
    for key in ("managed_policy", "attached_to"):
        attachment.put(key, facet[key], where)
    attachment.put("reference", _reference_text(reference), where)
    attachment.put("policy", facet, where)
    yield suffix, IAM_ATTACHMENT, attachment, span


def _entries(value: Any, span: Span) -> list[tuple[str, Any, Span]]:
    if isinstance(value, LocList):
        return [(f"[{i}]", v, value.span_of(i)) for i, v in enumerate(value)]
    if isinstance(value, list):
        return [(f"[{i}]", v, span) for i, v in enumerate(value)]
    return [("", value, span)]


def from_cfn(rtype: str, props: LocDict) -> Iterator[Attached]:
    """The managed policies a CloudFormation resource attaches."""
    spec = CFN_ATTACHMENTS.get(rtype)
    if spec is None or not isinstance(props, LocDict) or props.get(spec[0]) is None:
        return
    key, attached_to = spec
    for suffix, value, span in _entries(props[key], props.span_of(key)):
        facet = attached_facet(value, span, attached_to)
        if facet is not None:
            yield from _both(f".{key}{suffix}", value, facet, span)


def from_tf(rtype: str, props: LocDict, lookups: dict[str, Any]) -> Iterator[Attached]:
    """The managed policies a Terraform resource attaches; ``lookups`` maps the addresses of
    ``data "aws_iam_policy"`` sources to the ``arn`` or ``name`` they look up."""
    spec = TF_ATTACHMENTS.get(rtype)
    if spec is None or not isinstance(props, LocDict) or props.get(spec[0]) is None:
        return
    key, attached_to = spec
    for suffix, value, span in _entries(props[key], props.span_of(key)):
        if isinstance(value, Unknown):
            followed = next((lookups[ref] for ref in value.refs if ref in lookups), None)
            if followed is not None:
                value = followed
        facet = attached_facet(value, span, attached_to)
        if facet is not None:
            yield from _both(f".{key}{suffix}", value, facet, span)
