"""KMS key facet (kind ``kms.key``): ``{rotation_enabled, key_spec, key_usage, enabled}``."""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, Span
from .fields import facet

KMS_KEY = "kms.key"


def key_from_cfn(props: LocDict, span: Span) -> LocDict:
    """The facet of an ``AWS::KMS::Key``."""
    return facet(props, {"rotation_enabled": "EnableKeyRotation", "key_spec": "KeySpec",
                         "key_usage": "KeyUsage", "enabled": "Enabled"}, span)


def key_from_tf(attrs: Any, span: Span) -> LocDict:
    """The facet of an ``aws_kms_key``."""
    return facet(attrs, {"rotation_enabled": "enable_key_rotation", "key_spec": "customer_master_key_spec",
                         "key_usage": "key_usage", "enabled": "is_enabled"}, span)
