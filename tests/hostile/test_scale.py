"""A template with 10,000 resources and a policy with 5,000 statements lint in time linear in their
size. Only the growth is tested (absolute timings belong in bench/): four times the input must
cost well under the sixteen times a quadratic pass would, measured in CPU time, which other load on
a small machine disturbs far less than wall-clock time."""
from __future__ import annotations

import json
import resource
import subprocess

from conftest import policylint_command

GROWTH = 4
LINEAR_BOUND = 9  # linear measures about 4-5; quadratic would be 16


def _template(resources: int) -> dict:
    body = {}
    for i in range(resources):
        if i % 3 == 0:
            body[f"Bucket{i}"] = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"Bad_Name{i}"}}
        elif i % 3 == 1:
            body[f"Group{i}"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "d",
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}}
        else:
            body[f"Policy{i}"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": body}


def _policy(statements: int) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": [f"s3:GetObject{i}", "s3:*"], "Principal": "*",
         "Resource": f"arn:aws:s3:::bucket{i}/*"} for i in range(statements)]}


def _cpu_seconds(folder, name: str) -> tuple[float, dict]:
    """CPU time of ``policylint scan NAME`` (best of two runs) and its JSON report."""
    best = float("inf")
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(policylint_command() + ["scan", name, "-f", "json", "-o", "out.json", "--jobs", "1"],
                       cwd=folder, capture_output=True, timeout=600, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
    return best, json.loads((folder / "out.json").read_text())


def _growth(folder, make, small: int) -> tuple[float, list[dict]]:
    reports = []
    costs = []
    for size in (1, small, small * GROWTH):
        (folder / f"in{size}.json").write_text(json.dumps(make(size)))
        cost, report = _cpu_seconds(folder, f"in{size}.json")
        costs.append(cost)
        reports.append(report)
    start_up, small_cost, large_cost = costs
    return (large_cost - start_up) / max(small_cost - start_up, 1e-3), reports


def _count(report: dict, rule: str) -> int:
    return sum(1 for f in report["findings"] if f["rule"] == rule)


def test_ten_thousand_resources_lint_in_linear_time(tmp_path):
    ratio, (_, small, large) = _growth(tmp_path, _template, 10_000 // GROWTH)
    assert _count(large, "PL2002") == len(range(0, 10_000, 3))  # every bucket was linted
    assert _count(large, "PL2002") > GROWTH * _count(small, "PL2002") - GROWTH
    assert ratio < LINEAR_BOUND, f"4x the resources cost {ratio:.1f}x the time"


def test_five_thousand_statements_lint_in_linear_time(tmp_path):
    ratio, (_, small, large) = _growth(tmp_path, _policy, 5_000 // GROWTH)
    assert _count(large, "PL1003") == 5_000  # every statement's public principal
    assert _count(small, "PL1003") == 5_000 // GROWTH
    assert ratio < LINEAR_BOUND, f"4x the statements cost {ratio:.1f}x the time"
