"""CDK: a synthesized cdk.out is linted as it is, and findings name the construct path."""
from __future__ import annotations

from conftest import FIXTURES, REPO

from policylint.scan import ScanOptions, scan


def test_cdk_out_templates_are_linted_and_name_the_construct_path():
    result = scan(ScanOptions(paths=[str(FIXTURES / "cdk")], root=str(REPO)))
    assert result.files == ["fixtures/cdk/cdk.out/AppStack.template.json"]  # manifest.json, tree.json: not templates
    (wildcard,) = [f for f in result.findings if f.rule_id == "PL1001"]
    assert wildcard.span.line == 37
    assert "(CDK construct AppStack/Handler/ServiceRole/DefaultPolicy/Resource)" in wildcard.message
    assert all("CDK construct AppStack/" in f.message for f in result.findings)
