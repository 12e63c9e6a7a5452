"""CloudTrail trail facet (kind ``cloudtrail.trail``):
``{multi_region, log_file_validation, kms_key_id, logging}``."""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, Span
from .fields import facet

TRAIL = "cloudtrail.trail"


def trail_from_cfn(props: LocDict, span: Span) -> LocDict:
    """The facet of an ``AWS::CloudTrail::Trail``."""
    return facet(props, {"multi_region": "IsMultiRegionTrail", "log_file_validation": "EnableLogFileValidation",
                         "kms_key_id": "KMSKeyId", "logging": "IsLogging"}, span)


def trail_from_tf(attrs: Any, span: Span) -> LocDict:
    """The facet of an ``aws_cloudtrail``."""
    return facet(attrs, {"multi_region": "is_multi_region_trail", "log_file_validation": "enable_log_file_validation",
                         "kms_key_id": "kms_key_id", "logging": "enable_logging"}, span)
