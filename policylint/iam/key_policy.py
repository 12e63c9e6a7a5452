"""The AWS default key-policy statement: what AWS writes into every new KMS key policy.

It gives the key's own account (its root principal) ``kms:*`` on ``Resource: *`` so that IAM
policies of that account can grant use of the key; without it the key can become unmanageable.
A statement is that default when, inside a key policy, it is an Allow with no condition, its
only principal is the account's own root — written as ``${AWS::AccountId}`` /
``data.aws_caller_identity`` (resolved at deploy time), or as a literal account with the Sid AWS
generates, ``Enable IAM User Permissions`` — its only action ``kms:*`` and its only resource ``*``.
"""
from __future__ import annotations

import re
from typing import Any

from ..load.located import Unknown

DEFAULT_SID = "enable iam user permissions"
_LITERAL_ROOT = re.compile(r"^(arn:[a-z-]+:iam::\d{12}:root|\d{12})$")
_OWN_ACCOUNT_REFS = ("AWS::AccountId", "aws_caller_identity")


def _own_root(value: Any) -> bool:
    """A principal resolved at deploy time to the template's own account (or its root)."""
    if not isinstance(value, Unknown):
        return False
    if not any(own in ref for ref in value.refs for own in _OWN_ACCOUNT_REFS) and \
            not any(own in value.text for own in _OWN_ACCOUNT_REFS):
        return False
    text = value.text.strip()
    bare = re.sub(r"!Ref AWS::AccountId|\$\{[^}]*\}", "", text)
    return ":root" in text or not re.search(r"[:/]", bare)


def is_default_statement(statement: Any) -> bool:
    """Whether a normalised statement of a key policy is the AWS default statement."""
    if not isinstance(statement, dict) or statement.get("effect") != "Allow" or statement.get("conditions"):
        return False
    actions, resources = statement.get("actions"), statement.get("resources")
    if actions != ["kms:*"] or resources != ["*"]:
        return False
    principal = statement.get("principal")
    if not isinstance(principal, dict) or set(principal) != {"AWS"}:
        return False
    ids = principal["AWS"]
    if not isinstance(ids, list) or len(ids) != 1:
        return False
    value = ids[0]
    if _own_root(value):
        return True
    sid = statement.get("sid")
    return isinstance(value, str) and bool(_LITERAL_ROOT.match(value.strip())) and \
        isinstance(sid, str) and sid.strip().lower() == DEFAULT_SID
