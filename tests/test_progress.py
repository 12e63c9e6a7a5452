"""Progress on a terminal, nothing in pipes; --quiet prints only findings, --verbose names files."""
from __future__ import annotations

import io
import json
import os
import subprocess
from types import SimpleNamespace

from conftest import run_cli
from policylint.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def task(*names: str) -> SimpleNamespace:
    return SimpleNamespace(candidates=[SimpleNamespace(display=n) for n in names])


def test_progress_line_only_after_a_second_and_erased_at_the_end():
    now = [0.0]
    stream = Terminal()
    progress = Progress(5, stream, clock=lambda: now[0])
    progress(task("a.yaml"))
    assert stream.getvalue() == ""  # a quick scan says nothing
    now[0] = 1.5
    progress(task("b.tf", "c.tf"))
    assert stream.getvalue() == "\rpolicylint: 3/5 files"
    now[0] = 1.55
    progress(task("d.yaml"))  # redrawn at most every 0.1 s
    assert stream.getvalue().count("\r") == 1
    now[0] = 2.0
    progress(task("e.yaml"))
    assert stream.getvalue().endswith("\rpolicylint: 5/5 files")
    progress.close()
    assert stream.getvalue().endswith("\r\033[K")


def test_no_progress_when_not_a_terminal_and_verbose_names_each_file():
    now = [10.0]
    pipe = io.StringIO()
    progress = Progress(2, pipe, verbose=True, clock=lambda: now[0])
    now[0] = 20.0
    progress(task("a.yaml", "b.yaml"))
    progress.close()
    assert pipe.getvalue() == "policylint: linted a.yaml\npolicylint: linted b.yaml\n"


def test_quiet_prints_only_the_finding_lines():
    loud = run_cli("scan", "examples", "--no-color")
    quiet = run_cli("scan", "examples", "-q")
    assert quiet.returncode == loud.returncode == 1
    finding_lines = [line for line in loud.stdout.splitlines() if line.count(":") >= 3 and " PL" in line]
    assert quiet.stdout.splitlines() == finding_lines and quiet.stderr == ""
    files = run_cli("scan", "examples", "-q", "-f", "json", "-o", os.devnull)
    assert files.stdout == files.stderr == ""  # no summary on stderr either
    assert run_cli("scan", "examples", "-q", "-v").returncode == 2


def test_verbose_names_every_file_scanned():
    result = run_cli("scan", "examples", "-v", "-f", "json")
    named = sorted(line.split("linted ", 1)[1] for line in result.stderr.splitlines() if "linted " in line)
    report = json.loads(result.stdout)
    assert len(named) == report["files_scanned"] and "examples/cloudformation/insecure-stack.yaml" in named

