"""A whole JSON/YAML file as one resource of kind ``document`` (for rules with ``resource.files``).

The facet is the parsed file itself, located: ``company_prefix`` in a rule path is the file's
top-level ``company_prefix`` key. A file whose top level is not a mapping is wrapped as
``{items: [...]}`` (a list) or ``{value: ...}`` (a scalar) so that paths always start at a mapping.
"""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, Span
from ..model import DOCUMENT, Resource


def document_resource(data: Any, path: str) -> Resource:
    """The ``document`` resource of one parsed file, reported as ``path``."""
    span = getattr(data, "span", None) or Span(1, 1, 1, 1)
    if isinstance(data, LocDict):
        facet = data
    else:
        facet = LocDict(span)
        facet.put("items" if isinstance(data, list) else "value", data, span)
    return Resource(DOCUMENT, DOCUMENT, path, path, span, facet, "document", raw=data)
