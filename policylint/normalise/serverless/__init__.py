"""Serverless Framework configurations (``serverless.yml`` / ``.yaml`` / ``.json``: a mapping with
``service`` and ``provider``): variables resolved (``variables.py``), then read as the
CloudFormation template the framework deploys (``template.py``) by the CloudFormation normaliser."""
from __future__ import annotations

from ...load.located import LocDict
from ...model import Resource
from .template import to_template
from .variables import Files, Variables


def build_resources(config: LocDict, path: str, notices: list[str] | None = None,
                    disk_path: str | None = None) -> list[Resource]:
    """The resources of one configuration ``path`` (read from ``disk_path``), located in it and in
    the files its ``${file(…)}`` variables read."""
    from ..cloudformation import build_resources as cfn_resources

    files = Files(disk_path, path) if disk_path else None
    resolved, _ = Variables(config, files).value(config, config.span)
    template, origins = to_template(resolved)
    return cfn_resources(template, path, notices, origins, source=config)
