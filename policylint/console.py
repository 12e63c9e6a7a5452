"""The console entry point (``policylint``, ``python -m policylint``): the process's garbage
collector is tuned before the command line's modules are imported, then the command line runs."""
from __future__ import annotations


def fewer_collections() -> None:
    """Run the cyclic garbage collector less often: a scan allocates millions of short-lived
    objects (parse trees, located values) that reference counting frees, and with the default
    youngest-generation threshold (700) the collector runs hundreds of times on a single small
    Terraform file, twice over the whole heap, and some thirty times over the classes and
    functions that importing the command line creates. A threshold of 50,000 allocations keeps
    collections (and the cyclic garbage they free) bounded while cutting their count; output is
    unchanged."""
    import gc

    _, older, oldest = gc.get_threshold()
    gc.set_threshold(50_000, older, oldest)


def run() -> None:
    """Run ``policylint`` (see :func:`policylint.cli.run`) with the collector tuned first."""
    fewer_collections()
    from .cli import run as run_command_line

    run_command_line()
