#!/usr/bin/env python3
"""Scale benchmarks: policylint on generated inputs of growing size; write ``bench/scale-results.md``.

Usage (from the repository root, policylint installed in the running interpreter's environment)::

    python bench/scale.py [--quick] [--cases cfn,terraform,plan,tree] [--output FILE]

Each case generates inputs of several sizes under ``bench/.work/scale/`` (gitignored) — a
CloudFormation template, a Terraform module, a plan JSON of ``terraform show -json``, a tree of
small files — and runs ``policylint scan`` on each, sizes alternating round by round. CPU (user +
system) and peak resident memory come from ``os.wait4`` of the process (``--jobs 1``: one process),
so the figures hold on a shared machine better than wall time, which is shown too. A least-squares
line ``cpu = a + b × size`` and its r² tell whether the cost grows linearly; the last column is the
CPU per thousand units of each size, which stays flat when it does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work" / "scale"

SIZES = {
    "cfn": (1000, 5000, 10000, 20000, 50000),
    "terraform": (1000, 5000, 10000, 20000),
    "plan": (10000, 25000, 50000, 100000),
    "tree": (5000, 10000, 20000),
}
QUICK_SIZES = {
    "cfn": (1000, 5000, 10000),
    "terraform": (1000, 2500, 5000),
    "plan": (5000, 10000, 20000),
    "tree": (1000, 2000, 4000),
}
# (case, size, CPU seconds, peak MiB or None)
TARGETS = (("terraform", 20000, 20, None), ("cfn", 50000, 35, None), ("plan", 100000, 60, 1024))
UNITS = {"cfn": "resources", "terraform": "resources", "plan": "resources", "tree": "files"}


# ---------------------------------------------------------------------------------------------
# generators: every size holds the same mix, so cost per unit should not change with size


def cfn_template(n: int) -> str:
    """A YAML template of ``n`` resources: buckets, policies, security groups and queues in turn,
    with references between them (``!Ref``, ``!GetAtt``, ``!Sub``)."""
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  Env:", "    Type: String",
           "    Default: prod", "Resources:"]
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out += [f"  Bucket{i}:", "    Type: AWS::S3::Bucket", "    Properties:",
                    f"      BucketName: !Sub 'data-${{Env}}-{i}'", "      VersioningConfiguration:",
                    "        Status: Enabled"]
        elif kind == 1:
            out += [f"  BucketPolicy{i}:", "    Type: AWS::S3::BucketPolicy", "    Properties:",
                    f"      Bucket: !Ref Bucket{i - 1}", "      PolicyDocument:", "        Version: '2012-10-17'",
                    "        Statement:", "          - Effect: Allow", "            Principal: '*'",
                    "            Action: 's3:GetObject'",
                    f"            Resource: !Sub '${{Bucket{i - 1}.Arn}}/*'"]
        elif kind == 2:
            out += [f"  Group{i}:", "    Type: AWS::EC2::SecurityGroup", "    Properties:",
                    f"      GroupDescription: group {i}", "      SecurityGroupIngress:",
                    "        - IpProtocol: tcp", "          FromPort: 22", "          ToPort: 22",
                    "          CidrIp: 0.0.0.0/0"]
        else:
            out += [f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
                    f"      QueueName: !Join ['-', [queue, !Ref Env, '{i}']]",
                    f"      RedrivePolicy:", f"        deadLetterTargetArn: !GetAtt Group{i - 1}.GroupId",
                    "        maxReceiveCount: 5"]
    return "\n".join(out) + "\n"


def terraform_module(n: int) -> dict[str, str]:
    """A module folder of ``n`` resources in files of 1,000: buckets with their access blocks and
    policies, security groups and IAM policies, each pair linked by ``type.name.attr`` references."""
    files: dict[str, str] = {"variables.tf": 'variable "env" {\n  default = "prod"\n}\n'}
    chunk: list[str] = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            chunk.append(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "data-${{var.env}}-{i}"\n}}\n')
        elif kind == 1:
            chunk.append(f'resource "aws_s3_bucket_public_access_block" "p{i}" {{\n'
                         f'  bucket = aws_s3_bucket.b{i - 1}.id\n  block_public_acls = true\n'
                         f'  block_public_policy = false\n}}\n')
        elif kind == 2:
            chunk.append(f'resource "aws_security_group" "sg{i}" {{\n  name = "sg-{i}"\n'
                         f'  description = "group for ${{aws_s3_bucket.b{i - 2}.bucket}}"\n'
                         f'  ingress {{\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
                         f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n')
        else:
            chunk.append(f'resource "aws_iam_policy" "pol{i}" {{\n  name = "pol-{i}"\n'
                         f'  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n'
                         f'      Effect = "Allow"\n      Action = ["s3:*"]\n'
                         f'      Resource = ["${{aws_s3_bucket.b{i - 3}.arn}}/*"]\n    }}]\n  }})\n}}\n')
        if len(chunk) == 1000 or i == n - 1:
            files[f"main{len(files):03d}.tf"] = "\n".join(chunk)
            chunk = []
    return files


def plan_json(n: int) -> str:
    """``terraform show -json`` of a plan creating ``n`` resources (buckets, security groups, IAM
    policies, queues), with ``resource_changes`` and ``configuration`` as Terraform writes them."""
    planned, changes, config = [], [], []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            rtype, name, values = "aws_s3_bucket", f"b{i}", {"bucket": f"data-{i}", "force_destroy": False,
                                                            "tags": {"env": "prod", "n": str(i)}}
        elif kind == 1:
            rtype, name, values = "aws_security_group", f"sg{i}", {
                "name": f"sg-{i}", "description": "managed", "ingress": [{
                    "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
                    "description": "", "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                    "self": False}], "egress": [], "revoke_rules_on_delete": False}
        elif kind == 2:
            rtype, name, values = "aws_iam_policy", f"p{i}", {"name": f"p-{i}", "path": "/", "policy": json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})}
        else:
            rtype, name, values = "aws_sqs_queue", f"q{i}", {"name": f"q-{i}", "delay_seconds": 0,
                                                            "sqs_managed_sse_enabled": False}
        address = f"{rtype}.{name}"
        planned.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                        "values": values, "sensitive_values": {}})
        changes.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {"actions": ["create"], "before": None, "after": values,
                                   "after_unknown": {"arn": True, "id": True}, "before_sensitive": False,
                                   "after_sensitive": {}}})
        config.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                       "provider_config_key": "aws", "expressions": {
                           k: {"constant_value": v} for k, v in values.items() if not isinstance(v, (dict, list))},
                       "schema_version": 0})
    plan = {"format_version": "1.2", "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes,
            "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
                              "root_module": {"resources": config}},
            "timestamp": "2026-11-30T12:00:00Z", "applyable": True, "complete": True, "errored": False}
    return json.dumps(plan, indent=2)


TREE_FILES = (
    ("policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}]}, indent=2)),
    ("template.yaml", cfn_template(4)),
    ("package.json", json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}}, indent=2)),
    ("config.yml", "service: web\nreplicas: 3\nports:\n  - 80\n  - 443\n"),
)


def tree(n: int, root: Path) -> None:
    """``n`` small files: policies, templates and non-IaC JSON/YAML, 100 to a folder, and for every
    thousand a Terraform module of 8 resources."""
    for i in range(n):
        folder = root / f"d{i // 100:04d}"
        if i % 1000 == 0:
            module = root / f"m{i // 1000:04d}"
            module.mkdir(parents=True, exist_ok=True)
            for name, text in terraform_module(8).items():
                (module / name).write_text(text)
        folder.mkdir(parents=True, exist_ok=True)
        name, text = TREE_FILES[i % len(TREE_FILES)]
        (folder / f"{i:06d}-{name}").write_text(text)


def generate(case: str, n: int) -> Path:
    """The input of ``case`` at size ``n`` (cached until the generator changes)."""
    target = WORK / f"{case}-{n}"
    stamp = target / ".complete"
    if stamp.exists() and stamp.read_text() == _version():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if case == "cfn":
        (target / "template.yaml").write_text(cfn_template(n))
    elif case == "terraform":
        for name, text in terraform_module(n).items():
            (target / name).write_text(text)
    elif case == "plan":
        (target / "plan.json").write_text(plan_json(n))
    else:
        tree(n, target)
    stamp.write_text(_version())
    return target


GENERATOR_VERSION = "1"  # raise when a generator changes: inputs are generated again


def _version() -> str:
    return GENERATOR_VERSION


# ---------------------------------------------------------------------------------------------
# measuring


@dataclass
class Point:
    size: int
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)  # MiB
    codes: set[int] = field(default_factory=set)
    findings: int = 0
    refused: bool = False  # a PL0001 finding says the input was not linted
    input_mib: float = 0.0


def measure(command: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """Wall s, CPU s, peak MiB, exit code of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least squares ``y = a + b x``: (a, b, r²)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    b = sxy / sxx if sxx else 0.0
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for _, y in points)
    ss_res = sum((y - a - b * x) ** 2 for x, y in points)
    return a, b, (1 - ss_res / ss_tot) if ss_tot else 1.0


def policylint_command() -> list[str]:
    beside = Path(sys.executable).parent / "policylint"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "policylint"]


def _count_findings(report: Path) -> tuple[int, bool]:
    """Findings in a JSON report, and whether one is PL0001, read in chunks: this process's memory
    must stay small, a process started from it counts it until it executes."""
    count, refused, tail = 0, False, b""
    with report.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            count += data.count(b'"rule": "')
            refused = refused or b'"rule": "PL0001"' in data
            tail = data[-32:]
            count -= tail.count(b'"rule": "')
    return count + tail.count(b'"rule": "'), refused


def run_case(case: str, sizes: tuple[int, ...], runs: int, pl: list[str]) -> list[Point]:
    points = []
    for n in sizes:
        print(f"  generating {case} {n} ...", flush=True)
        # In a child process: a process started from this one would count this one's memory (the
        # generated data) in its peak until it executes policylint.
        subprocess.run([sys.executable, __file__, "--generate", f"{case}={n}"], check=True)
        path = WORK / f"{case}-{n}"
        point = Point(n)
        point.input_mib = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
        points.append(point)
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    for round_ in range(runs):
        for point in points:
            report = out / f"{case}-{point.size}.json"
            command = pl + ["scan", ".", "-f", "json", "-o", str(report), "--jobs", "1", "--no-config"]
            wall, cpu, peak, code = measure(command, WORK / f"{case}-{point.size}")
            point.wall.append(wall)
            point.cpu.append(cpu)
            point.peak.append(peak)
            point.codes.add(code)
            if round_ == 0 and report.exists():
                point.findings, point.refused = _count_findings(report)
            print(f"  {case:<10} {point.size:>7} {UNITS[case]}: {cpu:7.2f} s CPU {wall:7.2f} s wall "
                  f"{peak:6.0f} MiB exit {code}", flush=True)
    return points


def render(results: dict[str, list[Point]], args: argparse.Namespace, started: dt.datetime,
           loads: dict[str, tuple[float, float]]) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    flags = [f for f, on in (("--quick", args.quick),) if on] + ([f"--cases {args.cases}"] if args.cases else [])
    flags += [f"--runs {args.runs}"] + ([f"--sizes '{args.sizes}'"] if args.sizes else [])
    lines = [
        "# policylint at scale: generated inputs",
        "",
        "```",
        " ".join(["python bench/scale.py", *flags]),
        "```",
        "",
        f"Run {started:%Y-%m-%d %H:%M}–{dt.datetime.now(dt.timezone.utc):%H:%M} UTC on {cores} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}. Each size is one "
        "generated input (see `bench/scale.py`: the same mix of resources at every size), scanned with "
        f"`policylint scan . -f json --jobs 1`; {args.runs} runs per size, sizes alternating; medians. CPU "
        "and peak memory of the process from `os.wait4`. The machine may be shared: load averages "
        "before/after each case are shown; CPU time is what to compare.",
        "",
    ]
    lines += ["## Targets (issue 18)", "", "| target | measured | met |", "| --- | --- | --- |"]
    for case, size, seconds, mib in TARGETS:
        point = next((p for p in results.get(case, []) if p.size == size), None)
        if point is None:
            continue
        cpu, wall, peak = statistics.median(point.cpu), statistics.median(point.wall), max(point.peak)
        linted = point.codes <= {0, 1} and not point.refused
        met = linted and cpu <= seconds and (mib is None or peak <= mib)
        bound = f"≤ {seconds} s CPU" + (f" and ≤ {mib / 1024:.0f} GiB" if mib else "")
        lines.append(f"| {case}, {size:,} {UNITS[case]}: linted (not refused), {bound} | {cpu:.1f} s CPU "
                     f"({wall:.1f} s wall), {peak:.0f} MiB{'' if linted else ', **refused or failed**'} | "
                     f"{'yes' if met else '**no**'} |")
    for case, points in results.items():
        if len(points) >= 3:
            _, _, r2 = fit([(p.size, statistics.median(p.cpu)) for p in points])
            lines.append(f"| {case}: CPU linear in size (r² ≥ 0.98) | r² = {r2:.4f} | {'yes' if r2 >= 0.98 else '**no**'} |")
    lines.append("")
    for case, points in results.items():
        unit = UNITS[case]
        a, b, r2 = fit([(p.size, statistics.median(p.cpu)) for p in points])
        ma, mb, mr2 = fit([(p.size, max(p.peak)) for p in points])
        load = loads[case]
        lines += [f"## {case}", "",
                  f"CPU ≈ {a:.2f} s + {b * 1000:.3f} s per 1,000 {unit} (r² = {r2:.4f}); "
                  f"peak memory ≈ {ma:.0f} MiB + {mb * 1000:.1f} MiB per 1,000 {unit} (r² = {mr2:.4f}). "
                  f"Load {load[0]:.1f} before, {load[1]:.1f} after.", "",
                  f"| {unit} | input MiB | CPU s, median | wall s, median | peak MiB | CPU s per 1,000 | findings | exit |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for p in points:
            cpu = statistics.median(p.cpu)
            lines.append(f"| {p.size:,} | {p.input_mib:.1f} | {cpu:.2f} | {statistics.median(p.wall):.2f} | "
                         f"{max(p.peak):.0f} | {cpu / p.size * 1000:.3f} | {p.findings:,} | "
                         f"{','.join(map(str, sorted(p.codes)))} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, 1 run each")
    parser.add_argument("--cases", help="only these cases, comma-separated (cfn, terraform, plan, tree)")
    parser.add_argument("--runs", type=int, help="runs per size (default 3, 1 with --quick)")
    parser.add_argument("--sizes", help="override the sizes of the cases run, e.g. terraform=1000,5000;plan=10000")
    parser.add_argument("--output", default=str(REPO / "bench" / "scale-results.md"))
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # CASE=SIZE: generate one input and exit
    args = parser.parse_args()
    if args.generate:
        case, _, size = args.generate.partition("=")
        generate(case, int(size))
        return 0
    args.runs = args.runs or (1 if args.quick else 3)
    table = dict(QUICK_SIZES if args.quick else SIZES)
    for item in filter(None, (args.sizes or "").split(";")):
        name, _, values = item.partition("=")
        table[name] = tuple(int(v) for v in values.split(","))
    cases = args.cases.split(",") if args.cases else list(table)
    unknown = [c for c in cases if c not in table]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}")
    pl = policylint_command()
    started = dt.datetime.now(dt.timezone.utc)
    results: dict[str, list[Point]] = {}
    loads: dict[str, tuple[float, float]] = {}
    for case in cases:
        print(f"{case}:", flush=True)
        before = os.getloadavg()[0]
        results[case] = run_case(case, table[case], args.runs, pl)
        loads[case] = (before, os.getloadavg()[0])
        Path(args.output).write_text(render(results, args, started, loads), encoding="utf-8")  # so far
    print(f"wrote {os.path.relpath(args.output)}  ({shlex.join(sys.argv)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
