"""The suppress stage: inline comments, CloudFormation Metadata and configuration ignores."""
from .apply import Block, SuppressionIndex, apply_suppressions
from .directives import Directive

__all__ = ["Block", "Directive", "SuppressionIndex", "apply_suppressions"]
