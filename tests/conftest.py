"""Shared helpers: run the installed ``policylint`` console script like a user would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def policylint_command() -> list[str]:
    """The installed console script of the Python running the tests (then one on PATH; last,
    ``python -m policylint``)."""
    beside = Path(sys.executable).parent / "policylint"
    if beside.exists():
        return [str(beside)]
    exe = shutil.which("policylint")
    return [exe] if exe else [sys.executable, "-m", "policylint"]


def run_cli(*args: str, cwd: Path | str | None = None, env: dict | None = None,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``policylint ARGS`` and capture its output."""
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.pop("FORCE_COLOR", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        policylint_command() + list(args), cwd=cwd or REPO, capture_output=True, text=True,
        env=full_env, input=input, timeout=300,
    )


def scan_json(*args: str, cwd: Path | str | None = None) -> dict:
    """``policylint scan ARGS -f json``, parsed; asserts it did not crash."""
    result = run_cli("scan", *args, "-f", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)
