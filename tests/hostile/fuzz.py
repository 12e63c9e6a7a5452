"""A bounded fuzz target: mutations of corpus-like files, each scanned by the installed policylint.

Each mutant is written into a folder of its own (Terraform files as a module, documents alone) and
scanned with ``policylint scan --no-config -j 1 -f sarif -o ...`` inside a long-lived worker
process (starting a process per mutant would cost more than the scan). A case fails when:

- the run would exit 2 (an internal error reaching the top, or any exit code other than 0 and 1),
- a finding says "internal error" (a bug of ours met on one file),
- the case took more than ``--max-seconds`` of CPU in the worker, or the worker's resident memory
  passed ``--max-mib`` during it (the worker is then replaced), or it hung (killed after
  ``--hang-seconds`` of wall time).

Run by hand (see ``tests/hostile/README.md``)::

    python tests/hostile/fuzz.py --mutants 32000 --seed 12 --jobs 2

The mutants depend only on the seed and the input files: a failing case is reproduced with
``--only N`` (and ``--keep DIR`` to keep the mutant).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"  # a read-only copy beside the clone, when there is one
SUFFIXES = (".tf", ".tf.json", ".json", ".yaml", ".yml", ".template", ".tfvars")
MAX_INPUT_BYTES = 48_000

# What attackers and unlucky users write: numbers no float holds, lone surrogates, interpolation
# and directive markers, CloudFormation tags, growth through references, paths out of the tree.
TOKENS = [
    "1e400", "-1e400", ".inf", "-.inf", ".nan", "NaN", "Infinity", "9" * 5000, "0x7fffffffffffffff",
    "\\ud800", "\\udfff", "\ud83d", "${", "%{", "}", "}}", "]", "[[[[", "{{{{", "\"", "'", "\\", "\x00",
    "${local.a}${local.a}", "${var.x}", "!Ref", "!Select [.inf, [a, b]]", "!Sub '${AWS::Region}'",
    "!GetAtt", "Fn::Select", "!If [c, a, b]", "count = 1e400", "count = 10000000", "for_each = toset(range(100000))",
    'format("%999999999d", 1)', 'file("../../../etc/passwd")', 'file("${path.module}/.git/config")',
    'templatefile("/etc/hosts", {})', '"source" = "../../.."', 'source = "/"', "~", "*", "&a", "*a", "<<EOF\n",
    "[for i in range(3000): [for j in range(3000): j]]", "pow(10, 5000)", "-", "...", "?", ":", "null", "true",
]


def inputs(corpus: Path | None = None) -> list[Path]:
    """The files mutated: the shared corpus when it is beside the clone, else the repo's own
    fixtures and examples (sorted, so that a seed picks the same files everywhere)."""
    roots = [corpus] if corpus is not None else ([CORPUS] if CORPUS.is_dir() else [REPO / "fixtures", REPO / "examples"])
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.name.lower().endswith(SUFFIXES) and path.stat().st_size <= MAX_INPUT_BYTES:
                found.append(path)
    return found


def mutate(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    """One mutant of ``data``: a few byte, line and token edits, chosen by ``rng``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        at = rng.randint(0, len(out))
        if kind < 0.25:  # a token where it hurts
            out[at:at] = rng.choice(TOKENS).encode("utf-8", "surrogatepass")
        elif kind < 0.40 and out:  # flip, delete or duplicate a few bytes
            end = min(len(out), at + rng.randint(1, 8))
            choice = rng.random()
            if choice < 0.4:
                out[at:end] = bytes(rng.randrange(256) for _ in range(end - at))
            elif choice < 0.7:
                del out[at:end]
            else:
                out[at:at] = out[at:end] * rng.randint(2, 20)
        elif kind < 0.65:  # line edits: repeat, delete, swap
            lines = bytes(out).split(b"\n")
            i = rng.randrange(len(lines))
            choice = rng.random()
            if choice < 0.4:
                lines[i:i] = [lines[i]] * rng.choice((2, 3, 17, 40))
            elif choice < 0.7:
                del lines[i:i + rng.randint(1, 5)]
            else:
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            out = bytearray(b"\n".join(lines))
        elif kind < 0.80 and donors:  # splice lines of another file
            donor = rng.choice(donors).split(b"\n")
            start = rng.randrange(len(donor))
            piece = b"\n".join(donor[start:start + rng.randint(1, 30)])
            out[at:at] = b"\n" + piece + b"\n"
        elif kind < 0.90:  # truncate
            del out[at:]
        else:  # nest: wrap a stretch in brackets
            end = min(len(out), at + rng.randint(0, 200))
            opener, closer = rng.choice(((b"[", b"]"), (b"{", b"}"), (b"(", b")"), (b"${", b"}")))
            depth = rng.choice((1, 5, 50))
            out[at:end] = opener * depth + out[at:end] + closer * depth
    return bytes(out)


@dataclass
class Case:
    index: int
    origin: str
    name: str
    data: bytes


def cases(files: list[Path], count: int, seed: int) -> list[Case]:
    """``count`` mutants, the same for the same seed and files."""
    rng = random.Random(seed)
    texts = [f.read_bytes() for f in files]
    out = []
    for index in range(count):
        pick = rng.randrange(len(files))
        case_rng = random.Random(f"{seed}:{index}")
        donors = [texts[case_rng.randrange(len(texts))] for _ in range(2)]
        out.append(Case(index, str(files[pick]), files[pick].name, mutate(texts[pick], case_rng, donors)))
    return out


# -- the worker: scans one folder per line read on stdin, answers one JSON line -------------------
WORKER = r"""
import contextlib, io, json, os, resource, sys, time, traceback
import click
from policylint.cli import main
out = sys.stdout
while True:
    line = sys.stdin.readline()
    if not line:
        break
    case = json.loads(line)
    report = os.path.join(case["dir"], "report.sarif")
    err = io.StringIO()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = usage.ru_utime + usage.ru_stime
    crash = ""
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main.main(["scan", "--no-config", "-j", "1", "-f", "sarif", "-o", report, case["target"]],
                             prog_name="policylint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        code, crash = 2, exc.format_message()
    except BaseException as exc:
        code, crash = 2, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-2000:]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    internal = []
    try:
        with open(report, encoding="utf-8") as handle:
            sarif = json.load(handle)
        for run in sarif.get("runs", []):
            for result in run.get("results", []):
                text = result.get("message", {}).get("text", "")
                if "internal error" in text:
                    internal.append(text[:300])
    except (OSError, ValueError) as exc:
        if code in (0, 1):
            internal.append(f"no readable report: {exc}")
    out.write(json.dumps({"code": code, "cpu": usage.ru_utime + usage.ru_stime - started,
                          "rss_mib": usage.ru_maxrss / 1024, "crash": crash,
                          "stderr": err.getvalue()[-500:], "internal": internal}) + "\n")
    out.flush()
"""


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=lambda: {
        "cases": 0, "exit_2": 0, "internal_error": 0, "over_time": 0, "over_memory": 0, "hung": 0})
    failures: list[dict] = field(default_factory=list)
    slowest: float = 0.0
    peak_mib: float = 0.0


class Worker:
    def __init__(self, max_mib: int):
        env = dict(os.environ, PYTHONHASHSEED="0")
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env,
                                     preexec_fn=lambda: _limit_memory(max_mib * 3))

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _limit_memory(mib: int) -> None:
    import resource

    limit = mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def write_case(case: Case, where: Path) -> tuple[str, str]:
    """The mutant written into its own folder; ``(folder, what to scan)``."""
    folder = where / f"case-{case.index}"
    folder.mkdir()
    (folder / case.name).write_bytes(case.data)
    target = folder if case.name.lower().endswith((".tf", ".tf.json", ".tfvars")) else folder / case.name
    if case.name.endswith(".tfvars"):
        (folder / "main.tf").write_text('variable "x" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.x\n}\n')
    return str(folder), str(target)


def run(all_cases: list[Case], jobs: int = 1, max_seconds: float = 10, max_mib: int = 1024,
        hang_seconds: float = 60, keep: Path | None = None, progress: bool = False) -> Outcome:
    """Scan every case on ``jobs`` workers; the counts and the failing cases."""
    outcome = Outcome()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="policylint-fuzz-") as tmp:
        where = Path(tmp)
        queues = [all_cases[i::jobs] for i in range(jobs)]
        workers = [Worker(max_mib) for _ in range(jobs)]
        positions = [0] * jobs
        pending: dict[int, tuple[Case, str, float]] = {}
        try:
            while any(positions[j] < len(queues[j]) for j in range(jobs)) or pending:
                for j in range(jobs):
                    if j in pending or positions[j] >= len(queues[j]):
                        continue
                    case = queues[j][positions[j]]
                    positions[j] += 1
                    folder, target = write_case(case, where)
                    assert workers[j].proc.stdin
                    workers[j].proc.stdin.write(json.dumps({"dir": folder, "target": target}) + "\n")
                    workers[j].proc.stdin.flush()
                    pending[j] = (case, folder, time.time())
                streams = {workers[j].proc.stdout: j for j in pending}
                ready, _, _ = select.select(list(streams), [], [], 1.0)
                now = time.time()
                for j in list(pending):
                    case, folder, sent = pending[j]
                    stream = workers[j].proc.stdout
                    answer = None
                    if stream in ready:
                        line = stream.readline()
                        answer = json.loads(line) if line else {"code": -1, "cpu": now - sent, "rss_mib": 0,
                                                                "crash": "worker died", "stderr": "", "internal": []}
                    elif now - sent <= hang_seconds:
                        continue
                    del pending[j]
                    replace = _judge(case, answer, outcome, max_seconds, max_mib, hang_seconds)
                    if replace:
                        workers[j].stop()
                        workers[j] = Worker(max_mib)
                    if keep is not None and any(f["index"] == case.index for f in outcome.failures[-1:]):
                        shutil.copytree(folder, keep / Path(folder).name, dirs_exist_ok=True)
                    shutil.rmtree(folder, ignore_errors=True)
                    if progress and outcome.counts["cases"] % 500 == 0:
                        print(f"{outcome.counts['cases']} cases, {time.time() - started:.0f} s: {outcome.counts}",
                              file=sys.stderr, flush=True)
        finally:
            for worker in workers:
                worker.stop()
    return outcome


def _judge(case: Case, answer: dict | None, outcome: Outcome, max_seconds: float, max_mib: int,
           hang_seconds: float) -> bool:
    """Count one case; whether its worker must be replaced."""
    counts = outcome.counts
    counts["cases"] += 1
    problems = []
    replace = False
    if answer is None:
        counts["hung"] += 1
        problems.append(f"no answer within {hang_seconds:.0f} s")
        replace = True
    else:
        if answer["code"] not in (0, 1):
            counts["exit_2"] += 1
            problems.append(f"exit {answer['code']}: {answer['crash'] or answer['stderr']}")
            replace = answer["code"] == -1
        if answer["internal"]:
            counts["internal_error"] += 1
            problems.append("; ".join(answer["internal"][:3]))
        if answer["cpu"] > max_seconds:
            counts["over_time"] += 1
            problems.append(f"{answer['cpu']:.1f} s of CPU")
        outcome.slowest = max(outcome.slowest, answer["cpu"])
        if answer["rss_mib"] > max_mib:
            counts["over_memory"] += 1
            problems.append(f"{answer['rss_mib']:.0f} MiB resident")
            replace = True
        outcome.peak_mib = max(outcome.peak_mib, answer["rss_mib"])
    if problems:
        outcome.failures.append({"index": case.index, "origin": case.origin, "problems": problems})
    return replace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=None, help="folder of files to mutate (default: the shared corpus, else the repo's fixtures)")
    parser.add_argument("--only", type=int, action="append", help="run only this case index (repeatable)")
    parser.add_argument("--start", type=int, default=0, help="run only the cases from this index on (to share a long run)")
    parser.add_argument("--keep", type=Path, default=None, help="copy failing mutants into this folder")
    parser.add_argument("--max-seconds", type=float, default=10)
    parser.add_argument("--max-mib", type=int, default=1024)
    parser.add_argument("--json", type=Path, default=None, help="write the counts and failures here")
    args = parser.parse_args(argv)
    files = inputs(args.corpus)
    chosen = cases(files, args.mutants, args.seed)
    if args.only:
        chosen = [c for c in chosen if c.index in set(args.only)]
    chosen = [c for c in chosen if c.index >= args.start]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    started = time.time()
    outcome = run(chosen, args.jobs, args.max_seconds, args.max_mib, keep=args.keep, progress=True)
    summary = {"seed": args.seed, "mutants": args.mutants, "start": args.start, "inputs": len(files), "wall_seconds": round(time.time() - started),
               "slowest_cpu_seconds": round(outcome.slowest, 2), "peak_rss_mib": round(outcome.peak_mib),
               **outcome.counts, "failures": outcome.failures}
    text = json.dumps(summary, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
