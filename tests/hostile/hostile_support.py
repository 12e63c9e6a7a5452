"""Helpers for the hostile-input tests: run the installed CLI, with injected faults when asked."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import policylint_command, run_cli

FAULTS_DIR = Path(__file__).resolve().parent / "faults"

BUCKET_TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: Bad_Name
    """)
BUCKET_NAME_LINE, BUCKET_NAME_COL = 6, 19  # where PL2002 points: the value of BucketName


def faulty_env(**faults) -> dict[str, str]:
    """Environment that loads ``faults/sitecustomize.py`` in the policylint process."""
    path = os.pathsep.join(p for p in (str(FAULTS_DIR), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "POLICYLINT_TEST_FAULTS": json.dumps(faults)}


def scan(*args: str, cwd: Path | str, faults: dict | None = None) -> subprocess.CompletedProcess:
    """``policylint scan ARGS`` run in ``cwd`` (with injected ``faults``); never a traceback."""
    result = run_cli("scan", *args, cwd=cwd, env=faulty_env(**faults) if faults else None)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def scan_report(*args: str, cwd: Path | str, faults: dict | None = None) -> dict:
    """The JSON report of ``policylint scan ARGS``; asserts the run finished (exit 0 or 1)."""
    result = scan(*args, "-f", "json", cwd=cwd, faults=faults)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def findings(report: dict, rule: str | None = None) -> list[dict]:
    """The report's findings, of one rule when ``rule`` is given."""
    return [f for f in report["findings"] if rule is None or f["rule"] == rule]


def peak_memory_mib(*args: str, cwd: Path | str, timeout: float = 600) -> tuple[int, float]:
    """Run ``policylint ARGS`` in a fresh watcher process; its exit code and the largest resident
    set (MiB) of the policylint process, as the kernel counted it."""
    watcher = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", watcher, *policylint_command(), *args], cwd=cwd,
                         capture_output=True, text=True, timeout=timeout, check=True).stdout.split()
    return int(out[0]), float(out[1])
