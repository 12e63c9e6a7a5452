"""Fault injection for the hostile-input tests, loaded by the ``policylint`` process under test.

The tests put this folder on ``PYTHONPATH`` and describe the faults in ``POLICYLINT_TEST_FAULTS``
(JSON), so the real console script meets a broken world without any test hook in the package:

- ``no_network``: creating a socket or resolving a name raises.
- ``deny``: opening or listing these absolute paths raises ``PermissionError`` (root ignores
  ``chmod 000``, so this is how permission errors are tested when running as root).
- ``vanish``: these files are deleted right after discovery, before they are read.
- ``reverse_listing``: folders list their entries in reverse order.
- ``fail_render``: rendering the report raises.
- ``kill_during_write``: the process kills itself half-way through writing an output file.
"""
from __future__ import annotations

import builtins
import json
import os
import signal

FAULTS = json.loads(os.environ.get("POLICYLINT_TEST_FAULTS") or "{}")


def _no_network() -> None:
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in this test")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse()

    socket.socket = NoSocket
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "socketpair"):
        setattr(socket, name, refuse)


def _deny(paths: set[str]) -> None:
    real_open, real_scandir, real_listdir = builtins.open, os.scandir, os.listdir

    def check(path) -> None:
        if isinstance(path, (str, bytes, os.PathLike)) and os.path.abspath(os.fsdecode(path)) in paths:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))

    def guarded_open(file, *args, **kwargs):
        check(file)
        return real_open(file, *args, **kwargs)

    def guarded_scandir(path="."):
        check(path)
        return real_scandir(path)

    def guarded_listdir(path="."):
        check(path)
        return real_listdir(path)

    builtins.open, os.scandir, os.listdir = guarded_open, guarded_scandir, guarded_listdir


def _vanish(paths: list[str]) -> None:
    import policylint.discover as discover_module

    real = discover_module.discover

    def discover_then_delete(*args, **kwargs):
        found = real(*args, **kwargs)
        for path in paths:
            os.unlink(path)
        return found

    discover_module.discover = discover_then_delete


def _reverse_listing() -> None:
    real_scandir = os.scandir

    class Reversed:
        def __init__(self, path):
            with real_scandir(path) as it:
                self.entries = list(it)[::-1]

        def __iter__(self):
            return iter(self.entries)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def close(self):
            pass

    os.scandir = lambda path=".": Reversed(path)


def _fail_render() -> None:
    import policylint.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("rendering failed (injected by the test)")

    cli._render = broken


def _kill_during_write() -> None:
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def write(self, text):
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            os.fsync(self.handle.fileno())
            os.kill(os.getpid(), signal.SIGKILL)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

    def fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return HalfWriter(handle) if "w" in mode else handle

    os.fdopen = fdopen


if FAULTS.get("no_network"):
    _no_network()
if FAULTS.get("deny"):
    _deny(set(FAULTS["deny"]))
if FAULTS.get("reverse_listing"):
    _reverse_listing()
if FAULTS.get("vanish"):
    _vanish(FAULTS["vanish"])
if FAULTS.get("fail_render"):
    _fail_render()
if FAULTS.get("kill_during_write"):
    _kill_during_write()
