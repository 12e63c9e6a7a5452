"""Terraform modules into the resource model (being built: see issue 3)."""
from __future__ import annotations

from typing import Any

from ..model import ParseProblem, Resource


def build_module(candidates: list[Any], options: Any) -> tuple[list[Resource], list[ParseProblem]]:
    """Resources of one Terraform module; not yet implemented, so Terraform files yield nothing."""
    return [], []
