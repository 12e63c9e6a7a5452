"""Serverless Framework configurations (``serverless.yml`` / ``.yaml`` / ``.json``: a mapping with
``service`` and ``provider``): variables resolved (``variables.py``), then read as the
CloudFormation template the framework deploys (``template.py``) by the CloudFormation normaliser."""
from __future__ import annotations

from ...load.located import LocDict
from ...model import Resource
from .template import to_template
from .variables import Variables


def build_resources(config: LocDict, path: str, notices: list[str] | None = None) -> list[Resource]:
    """The resources of one configuration, located in it."""
    from ..cloudformation import build_resources as cfn_resources

    resolved, _ = Variables(config).value(config, config.span)
    template, origins = to_template(resolved)
    return cfn_resources(template, path, notices, origins, source=config)
