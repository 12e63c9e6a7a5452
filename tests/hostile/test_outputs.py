"""Reports are written atomically (a failed or killed run never leaves a partial file) and are
byte-identical whatever order the filesystem lists files in."""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import threading

import pytest

from hostile_support import BUCKET_TEMPLATE, scan

PREVIOUS = '{"previous": "report"}\n'


def _project(root, order):
    """A small tree with findings in several files, a parse error and a skipped link, its files
    created in ``order``."""
    files = {
        "a/t.yaml": BUCKET_TEMPLATE,
        "b/t.json": json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "X_y"}}}}),
        "b/p.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
        "c/broken.yaml": "Resources: [\n",
        "z.yaml": BUCKET_TEMPLATE.replace("Bucket:", "Zed:"),
        "m/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "Bad_Name"\n}\n',
    }
    root.mkdir()
    for name in order(sorted(files)):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(files[name])
    (root / "link.yaml").symlink_to("z.yaml")
    return root


def _temp_leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".policylint-"))


def test_a_run_that_fails_while_rendering_leaves_the_previous_report_untouched(tmp_path):
    project = _project(tmp_path / "p", list)
    out = project / "report.sarif"
    out.write_text(PREVIOUS)
    result = scan(".", "-f", "sarif", "-o", "report.sarif", cwd=project, faults={"fail_render": True})
    assert result.returncode == 2
    assert out.read_text() == PREVIOUS
    assert _temp_leftovers(project) == []


@pytest.mark.parametrize("existing", [True, False])
def test_a_run_killed_while_writing_never_leaves_a_partial_report(tmp_path, existing):
    project = _project(tmp_path / "p", list)
    out = project / "report.sarif"
    if existing:
        out.write_text(PREVIOUS)
    result = scan(".", "-f", "sarif", "-o", "report.sarif", cwd=project, faults={"kill_during_write": True})
    assert result.returncode == -signal.SIGKILL  # the fault fired half-way through the write
    if existing:
        assert out.read_text() == PREVIOUS
    else:
        assert not out.exists()


def test_a_complete_report_replaces_the_previous_one_with_ordinary_permissions(tmp_path):
    project = _project(tmp_path / "p", list)
    out = project / "report.sarif"
    out.write_text(PREVIOUS)
    result = scan(".", "-f", "sarif", "-o", "report.sarif", cwd=project)
    assert result.returncode == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert _temp_leftovers(project) == []


def test_writing_to_a_pipe_keeps_the_pipe(tmp_path):
    project = _project(tmp_path / "p", list)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = scan(".", "-f", "sarif", "-o", str(pipe), cwd=project)
    reader.join(timeout=60)
    assert result.returncode == 1
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)  # not replaced by a regular file
    assert json.loads(received[0])["version"] == "2.1.0"


def _sarif(project, *args, faults=None) -> bytes:
    result = scan(".", "-f", "sarif", "-o", "out.sarif", *args, cwd=project, faults=faults)
    assert result.returncode == 1, result.stderr
    data = (project / "out.sarif").read_bytes()
    (project / "out.sarif").unlink()
    return data


def test_sarif_is_byte_identical_whatever_the_filesystem_order(tmp_path):
    forward = _project(tmp_path / "forward", list)
    backward = _project(tmp_path / "backward", lambda names: names[::-1])
    first = _sarif(forward)
    runs = [
        _sarif(forward),
        _sarif(backward),
        _sarif(backward, faults={"reverse_listing": True}),
        _sarif(forward, "--jobs", "2"),
        _sarif(backward, "--jobs", "2", faults={"reverse_listing": True}),
    ]
    assert all(run == first for run in runs)
    log = json.loads(first)["runs"][0]
    assert {r["ruleId"] for r in log["results"]} >= {"PL0001", "PL2002"}
    assert len({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["results"]}) >= 4
    assert any(n["level"] == "warning" for n in log["invocations"][0]["toolExecutionNotifications"])


def test_moving_the_tree_does_not_change_the_sarif(tmp_path):
    project = _project(tmp_path / "p", list)
    before = _sarif(project)
    moved = tmp_path / "elsewhere" / "p"
    moved.parent.mkdir()
    shutil.move(str(project), str(moved))
    assert _sarif(moved) == before
