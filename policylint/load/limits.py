"""The bounds on what a loader accepts, so that no input can exhaust time, memory or the stack.

Real inputs are far inside them: the deepest template of the real-world corpus nests 21 levels
and the largest holds about 3,500 values; CloudFormation itself takes templates of at most 1 MB.
A file past a bound is reported (``PL0001``) and not linted.
"""
from __future__ import annotations

MAX_BYTES = 20 * 1024 * 1024  # read at most this much of a file
MAX_DEPTH = 100  # nested mappings and sequences; the normalisers recurse this deep at most
# Values in one document, every YAML alias counted as the values it repeats: a generated template
# of 50,000 resources holds about 700,000.
MAX_VALUES = 1_000_000

# A Terraform plan (``terraform show -json``) of a large estate legitimately runs to hundreds of
# megabytes. Such a file is recognised from its first bytes (load/documents.py), only the parts the
# linter reads are built (planned_values; the rest is checked and skipped), so these bounds apply
# to plans instead of the two above.
PLAN_MAX_BYTES = 512 * 1024 * 1024
PLAN_MAX_VALUES = 20_000_000
