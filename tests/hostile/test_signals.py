"""SIGINT and SIGTERM stop a parallel scan: exit 130 / 143, no partial report file, no worker left."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from conftest import policylint_command

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name != "posix", reason="POSIX signals")


def _big_tree(tmp_path):
    """Enough Terraform for a scan on two workers to run for a few seconds."""
    body = "".join(f'resource "aws_s3_bucket" "b{j}" {{\n  bucket = "n{j}-${{join(",", [for i in [1, 2] : i])}}"\n}}\n'
                   for j in range(150))
    for i in range(80):
        (tmp_path / f"m{i}").mkdir()
        (tmp_path / f"m{i}" / "main.tf").write_text(body)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _start(tmp_path) -> subprocess.Popen:
    process = subprocess.Popen(policylint_command() + ["scan", ".", "--no-config", "-j", "2", "-f", "sarif", "-o", "out.sarif"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while len(_children(process.pid)) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None and len(_children(process.pid)) >= 2, "the workers did not start"
    return process


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_scan_and_its_workers(tmp_path, signum, code):
    _big_tree(tmp_path)
    process = _start(tmp_path)
    workers = _children(process.pid)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert not (tmp_path / "out.sarif").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".policylint-")]
    time.sleep(0.5)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_no_worker_outlives_a_killed_parent(tmp_path):
    _big_tree(tmp_path)
    process = _start(tmp_path)
    workers = _children(process.pid)
    process.kill()
    process.communicate(timeout=60)
    deadline = time.time() + 10
    while time.time() < deadline and [w for w in workers if os.path.exists(f"/proc/{w}")]:
        time.sleep(0.1)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")]
