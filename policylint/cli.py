"""The command line: ``policylint scan``, ``policylint rules``, ``policylint test-rules``."""
from __future__ import annotations

import os
import sys
from typing import Any

import click

from .findings import SEVERITIES
from .report import FORMATS, escape_surrogates

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma-separated lists."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees a partial file. A path that exists
    and is not a regular file (``/dev/null``, a pipe) is written in place, never replaced."""
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    fd, tmp = _new_temporary(os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not the temporary's 0600
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _new_temporary(directory: str) -> tuple[int, str]:
    """A new file in ``directory`` that no one else can have opened (created exclusively, mode
    0600, never through a link), as ``(descriptor, path)``: ``tempfile.mkstemp``'s guarantees,
    without the import of ``tempfile`` (with ``shutil`` and ``random``) on every run."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0))
    for _ in range(100):
        name = os.path.join(directory, f".policylint-{os.urandom(8).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary file name in {directory}")


def _print_version(ctx: click.Context) -> None:
    from . import __version__

    click.echo(f"policylint, version {__version__}")
    ctx.exit(EXIT_OK)


def fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"policylint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def _variables(values: tuple[str, ...]) -> dict[str, str]:
    """``--var NAME=VALUE`` options as a mapping."""
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise fail(f"--var expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def wants_colour(when: str | None, to_terminal: bool) -> bool:
    """Whether to colour a report: ``--color=always|never`` decides; otherwise (``auto``) a
    non-empty ``FORCE_COLOR`` forces colour, a non-empty ``NO_COLOR`` refuses it (no-color.org,
    force-color.org), and else only a terminal gets it."""
    if when in ("always", "never"):
        return when == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return to_terminal


class _ColorWhen(click.Command):
    """``--color=WHEN`` as GNU tools take it: the value attached, so that ``--color`` alone (then
    ``always``) never swallows the path after it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        cut = args.index("--") if "--" in args else len(args)
        args = [f"--color-when={a[len('--color='):]}" if a.startswith("--color=") else a
                for a in args[:cut]] + args[cut:]
        return super().parse_args(ctx, args)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
              help="Show the version (the package's, as pyproject.toml sets it) and exit.")
def main() -> None:
    """Lint CloudFormation, Terraform and IAM policy documents for insecure settings."""


@main.command(cls=_ColorWhen)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "fmts", type=click.Choice(FORMATS), multiple=True,
              help="Report format (default: text, or the configuration's format). Repeatable: the n-th "
                   "--format goes to the n-th --output.")
@click.option("-o", "--output", "outputs", type=click.Path(dir_okay=False, allow_dash=True), multiple=True,
              help="Write the report to this file ('-': standard output). Repeatable, paired with --format.")
@click.option("--severity-threshold", type=click.Choice(SEVERITIES), default=None,
              help="Report and fail only on findings at or above this severity (default: low).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True),
              help="Extra rule directory or file (repeatable).")
@click.option("--select", multiple=True, help="Only these rules (ids, names, tags, benchmarks such as "
              "cis-aws-foundations-3.0, or benchmark controls such as aws-fsbp:S3.5; repeatable or comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids, names, tags, benchmarks or benchmark controls).")
@click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable).")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links that stay inside the scanned tree.")
@click.option("--color", "color", flag_value="always", default=None,
              help="Colour the text report: --color=auto (the default: on a terminal, unless NO_COLOR is set; "
                   "FORCE_COLOR forces it), --color=always (also --color), --color=never (also --no-color).")
@click.option("--no-color", "color", flag_value="never", help="Same as --color=never.")
@click.option("--color-when", "color", hidden=True)  # --color=WHEN, rewritten by _ColorWhen
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Configuration file (default: the nearest .policylint.yaml or pyproject.toml above the paths).")
@click.option("--no-config", is_flag=True, help="Do not look for a configuration file.")
@click.option("--config-policy", type=click.Choice(("trust", "strict")), default="trust", show_default=True,
              help="strict: refuse a configuration file inside the scanned tree that removes rules, lowers severities, "
                   "or excludes or suppresses every file (for scans of untrusted pull requests).")
@click.option("--no-inline-ignores", is_flag=True,
              help="Refuse inline suppressions (comments, template Metadata); configuration ignores still apply.")
@click.option("--show-suppressed", is_flag=True, help="Carry suppressed findings in SARIF with their justification.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Fail only on findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record today's findings in this baseline file.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes for large scans (default: the number of cores). The output is the same for any value.")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(),
              help="Terraform variables file for the scanned modules (repeatable; later files win).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Terraform variable value for the scanned modules (repeatable; wins over --var-file).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the findings: no summary, notes, warnings or progress.")
@click.option("-v", "--verbose", is_flag=True, help="Name each file on standard error as it is linted.")
def scan(paths: tuple[str, ...], fmts: tuple[str, ...], outputs: tuple[str, ...], severity_threshold: str | None,
         rule_dirs: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...],
         exclude: tuple[str, ...], follow_symlinks: bool, color: str | None, config_path: str | None,
         no_config: bool, config_policy: str, no_inline_ignores: bool, show_suppressed: bool, baseline_path: str | None,
         write_baseline_path: str | None, jobs: int | None, var_files: tuple[str, ...],
         variables: tuple[str, ...], quiet: bool, verbose: bool) -> None:
    """Scan files and directories (default: the current directory). On a terminal, a scan that
    takes more than a second shows its progress on standard error."""
    from .config import ConfigError
    from .evaluate.conditions import RegexTimeout
    from .evaluate.rules import RuleError
    from .parallel import default_jobs
    from .scan import ScanOptions, at_or_above, scan as run_scan

    if quiet and verbose:
        raise fail("--quiet and --verbose contradict each other: give one")
    if color not in (None, "auto", "always", "never"):
        raise fail(f"--color={color}: expected auto, always or never")
    scan_paths = list(paths) or ["."]
    _check_paths(scan_paths)
    _check_var_files(var_files)
    config = _config(scan_paths, config_path, no_config)
    reports = _reports(fmts, outputs, config.format or "text")
    severity_threshold = severity_threshold or config.threshold or "low"
    options = ScanOptions(
        paths=scan_paths, rule_dirs=config.rule_dirs + list(rule_dirs), select=_split(select) or config.select,
        ignore=config.ignore + _split(ignore), exclude=config.exclude + _split(exclude),
        follow_symlinks=follow_symlinks, root=os.getcwd(), option_overrides=config.options,
        severity_overrides=config.severity,
        inline_ignores=not no_inline_ignores and config.inline_ignores is not False, path_ignores=config.suppress,
        jobs=jobs or default_jobs(), var_files=list(var_files), variables=_variables(variables),
    )
    for target in [path for _, path in reports if path != "-"] + [write_baseline_path]:
        _refuse_controlled_link(target, scan_paths)
    try:
        loaded = None
        if config.file or select or ignore:
            loaded = _load(options.rule_dirs)
            if config.file:
                config.check_rules(loaded)
                if config_policy == "strict":
                    _apply_strict(config, loaded, options)
            _check_selectors(loaded, select, ignore)
        result = _scan_with_progress(run_scan, options, loaded, quiet, verbose)
        result.config_file, result.config_changes = config.file, config.narrowing()
        baseline = _read_baseline(baseline_path) if baseline_path else None
    except RuleError as exc:
        raise fail(f"invalid rule: {exc}") from None
    except (ConfigError, RegexTimeout) as exc:
        raise fail(str(exc)) from None
    def tell(text: str) -> None:  # what is not a finding goes to stderr, unless --quiet
        if not quiet:
            click.echo(text, err=True)

    for notice in result.notices:
        tell(f"policylint: warning: {notice}")
    if result.modules:
        tell(f"policylint: warning: {_unfollowed(result.modules)}")
    if not result.files:
        tell(f"policylint: warning: no file to lint in {' '.join(scan_paths)} (CloudFormation templates, "
             "Terraform, IAM policy documents and Terraform plans are linted; other files are skipped)")
    if baseline is not None:
        from .baseline import mark_baseline

        result.absent = mark_baseline(result.findings, baseline, result.files)
        if result.absent:
            stale = len(result.absent)
            tell(f"policylint: note: {stale} baseline entr{'ies' if stale != 1 else 'y'} of the scanned files "
                 f"no longer found (fixed?); --write-baseline {baseline_path} records today's findings")
    shown = at_or_above(result.findings, severity_threshold) + [
        f for f in result.findings if f.suppression is not None
    ]
    shown.sort(key=lambda f: f.sort_key())
    if write_baseline_path:
        from .baseline import render_baseline

        try:
            write_atomically(write_baseline_path, escape_surrogates(render_baseline(result.findings), "json"))
        except OSError as exc:
            raise fail(f"cannot write {write_baseline_path}: {exc.strerror or exc}") from None
        recorded = sum(1 for f in result.findings if f.suppression is None)
        tell(f"policylint: baseline of {recorded} finding{'s' if recorded != 1 else ''} written to "
             f"{write_baseline_path}")
    on_stdout = any(path == "-" for _, path in reports)
    def colour(path: str) -> bool:
        return wants_colour(color, to_terminal=path == "-" and sys.stdout.isatty())

    rendered = [(path, escape_surrogates(_render(fmt, result, shown, colour=colour(path), show_suppressed=show_suppressed,
                                                 quiet=quiet), fmt))
                for fmt, path in reports]
    for path, text in rendered:  # every report rendered before any is written
        try:
            if path == "-":
                click.echo(text, nl=False, color=colour(path))  # click strips colour off a pipe unless told
            else:
                write_atomically(path, text)
        except OSError as exc:
            raise fail(f"cannot write {'standard output' if path == '-' else path}: {exc.strerror or exc}") from None
    if not on_stdout:
        from .report.text import summary

        tell(summary(result, shown))
    failing = [f for f in at_or_above(result.findings, severity_threshold) if f.active]
    raise click.exceptions.Exit(EXIT_FINDINGS if failing and not write_baseline_path else EXIT_OK)


def _read_baseline(path: str) -> Any:
    """The baseline file ``path`` (the baseline module is imported only for a run that uses one)."""
    from .baseline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise fail(str(exc)) from None


SHOWN_MODULES = 3  # remote modules named in the one warning line; the reports list them all


def _unfollowed(modules: list[Any]) -> str:
    """One line for the remote modules that were not downloaded: how many, and the first few."""
    first = ", ".join(f"{m.file}:{m.span.line} module '{m.module}' ({m.source})" for m in modules[:SHOWN_MODULES])
    more = f" and {len(modules) - SHOWN_MODULES} more" if len(modules) > SHOWN_MODULES else ""
    count = len(modules)
    return (f"{count} remote module call{'s' if count != 1 else ''} not downloaded, not linted "
            f"(run `terraform init` to lint them): {first}{more}; the JSON and SARIF reports list them all")


def _check_paths(paths: list[str]) -> None:
    """A path that does not exist is the user's mistake: name it, with a close match beside it."""
    for path in paths:
        if os.path.lexists(path):
            continue
        from .suggest import close_match

        parent, name = os.path.split(path.rstrip("/" + os.sep) or path)
        try:
            siblings = os.listdir(parent or ".")
        except OSError:
            siblings = []
        match = close_match(name, siblings)
        hint = f" (did you mean {os.path.join(parent, match)!r}?)" if match is not None else ""
        raise fail(f"no such file or directory: {path}{hint}")


def _check_var_files(var_files: tuple[str, ...]) -> None:
    """Every ``--var-file`` can be read as text (its syntax is checked where it is used)."""
    from .load.errors import LoadError
    from .load.text import read_text

    for path in var_files:
        if not os.path.lexists(path):
            raise fail(f"--var-file {path}: no such file")
        try:
            read_text(path)
        except LoadError as exc:
            raise fail(f"--var-file {path}: {exc.message}") from None


def _check_selectors(loaded: list[Any], select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """``--select`` and ``--ignore`` name rules that exist (as the configuration file must)."""
    from .scan import unknown_selector

    for flag, names in (("--select", select), ("--ignore", ignore)):
        unknown = unknown_selector(_split(names), loaded)
        if unknown is not None:
            raise fail(f"{flag}: {unknown[1]}")


def _reports(fmts: tuple[str, ...], outputs: tuple[str, ...], default: str) -> list[tuple[str, str]]:
    """``(format, path)`` pairs: the n-th ``--format`` to the n-th ``--output`` (``-`` is standard
    output). One format and no output goes to standard output; no format, to the default format."""
    if not fmts and len(outputs) <= 1:
        fmts = (default,)
    if not outputs and len(fmts) == 1:
        outputs = ("-",)
    if len(fmts) != len(outputs):
        raise fail(f"{len(fmts)} --format option{'s' if len(fmts) != 1 else ''} and {len(outputs)} --output "
                   f"option{'s' if len(outputs) != 1 else ''}: give one --output for each --format "
                   "(in the same order; '-o -' is standard output)")
    files = [o for o in outputs if o != "-"]
    repeated = sorted({o for o in files if files.count(o) > 1})
    if repeated:
        raise fail(f"--output {repeated[0]} is named more than once")
    return list(zip(fmts, outputs))
def _apply_strict(config: Any, rules: list[Any], options: Any) -> None:
    """``--config-policy strict``: exit 2 when a configuration file inside the scanned tree (which
    a pull request may have written) would switch checking off (see ``Config.strict_refusal``)."""
    from .confine import Confinement
    from .discover import discover

    if config.source is None or Confinement.of_scan(options.paths, options.root).refusal(config.source) is not None:
        return  # a file from outside the tree is the user's choice
    candidates, _ = discover(options.paths, os.path.abspath(options.root), [], options.follow_symlinks)
    reason = config.strict_refusal(rules, [c.display for c in candidates])
    if reason is not None:
        raise fail(f"{config.file}: refused by --config-policy strict: {reason}")


def _refuse_controlled_link(target: str | None, paths: list[str]) -> None:
    """Exit 2 when the report file ``target`` would be written through a symbolic link that the
    scanned tree holds (``reports -> /somewhere``): a pull request must not choose where we write."""
    if not target:
        return
    from .confine import Confinement, controlled_link

    link = controlled_link(target, Confinement.of_scan(paths, os.getcwd()))
    if link is not None:
        raise fail(f"refusing to write {target}: {os.path.relpath(link)} is a symbolic link inside the scanned tree")


def _config(paths: list[str], explicit: str | None, disabled: bool) -> Any:
    """The configuration for this run: ``--config``, else the nearest file above ``paths``."""
    from pathlib import Path

    from .config import Config, ConfigError, find_config, load_config

    if disabled:
        return Config()
    if explicit and not os.path.isfile(explicit):
        raise fail(f"no configuration file {explicit}")
    found = Path(explicit) if explicit else find_config(paths)
    try:
        return load_config(found, os.getcwd()) if found else Config()
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _render(fmt: str, result: Any, findings: list[Any], colour: bool, show_suppressed: bool = False,
            quiet: bool = False) -> str:
    from .report import render

    return render(fmt, result, findings, colour=colour, show_suppressed=show_suppressed, quiet=quiet)


def _scan_with_progress(run_scan: Any, options: Any, loaded: Any, quiet: bool, verbose: bool) -> Any:
    """The scan, telling its progress on a terminal (not with ``--quiet``) and naming each file
    with ``--verbose``."""
    from .progress import Progress

    shown: list[Progress] = []

    def progress(total: int) -> Progress:
        shown.append(Progress(total, sys.stderr, verbose=verbose, enabled=False if quiet else None))
        return shown[-1]

    try:
        return run_scan(options, loaded=loaded, progress=progress)
    finally:
        for line in shown:
            line.close()


@main.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True), help="Extra rule directory.")
@click.option("--compliance", "benchmark", metavar="BENCHMARK",
              help="List the controls of a benchmark (cis-aws-foundations-3.0, aws-fsbp) and the rules that check each.")
@click.pass_context
def rules(ctx: click.Context, fmt: str, rule_dirs: tuple[str, ...], benchmark: str | None) -> None:
    """List the rules (id, name, severity, title), or a benchmark's controls with their rules."""
    ctx.obj = list(rule_dirs)
    if ctx.invoked_subcommand is not None:
        return
    loaded = _load(ctx.obj)
    if benchmark is not None:
        _compliance(loaded, benchmark, fmt)
        return
    if fmt == "json":
        import json

        click.echo(json.dumps([
            {"id": r.id, "name": r.name, "severity": r.severity, "title": r.title, "tags": r.tags,
             "enabled": r.enabled, "compliance": {b: list(ids) for b, ids in r.compliance.items()}}
            for r in loaded
        ], indent=2))
        return
    width = max((len(r.name) for r in loaded), default=4)
    click.echo(f"{'ID':<8} {'NAME':<{width}} {'SEVERITY':<9} TITLE")
    for r in loaded:
        disabled = "" if r.enabled else " (off by default)"
        click.echo(f"{r.id:<8} {r.name:<{width}} {r.severity:<9} {r.title}{disabled}")


def _compliance(loaded: list[Any], benchmark: str, fmt: str) -> None:
    """Print every control of ``benchmark`` with the rules that check it, or why none does."""
    from .compliance import benchmarks, coverage, status

    known = benchmarks()
    if benchmark not in known:
        from .suggest import did_you_mean

        raise fail(f"no benchmark {benchmark!r}{did_you_mean(benchmark, known)} (known: {', '.join(sorted(known))})")
    rows = coverage(loaded, benchmark)
    if fmt == "json":
        import json

        click.echo(json.dumps([
            {"control": c.id, "title": c.title, "status": status(c, ids), "rules": ids,
             "reason": "" if ids else c.reason}
            for c, ids in rows
        ], indent=2))
        return
    click.echo(known[benchmark].title)
    width = max(len(c.id) for c, _ in rows)
    for control, ids in rows:
        said = ", ".join(ids) if ids else f"{status(control, ids)}: {control.reason}"
        click.echo(f"{control.id:<{width}}  {said}")
    covered = sum(1 for _, ids in rows if ids)
    decidable = sum(1 for c, ids in rows if ids or c.decidable)
    click.echo(f"{covered} of {decidable} decidable controls checked ({len(rows)} controls)")


@rules.command("show")
@click.argument("rule_id")
@click.pass_obj
def rules_show(rule_dirs: list[str], rule_id: str) -> None:
    """Show one rule's description, remediation and references."""
    loaded = _load(rule_dirs)
    for r in loaded:
        if rule_id in (r.id, r.name):
            click.echo(f"{r.id} {r.name} ({r.severity})\n{r.title}\n")
            click.echo(f"{r.description}\n\nRemediation:\n{r.remediation}\n")
            if r.references:
                click.echo("References:\n" + "\n".join(f"  {u}" for u in r.references))
            if r.option_help:
                click.echo("Options (set under options: in the configuration file):")
                for name, (default, text) in r.option_help.items():
                    click.echo(f"  {name}: {text} (default: {default!r})")
            if r.compliance:
                click.echo("Compliance:")
                for bench, ids in r.compliance.items():
                    click.echo(f"  {bench}: {', '.join(ids)}")
            click.echo(f"Tags: {', '.join(r.tags)}")
            return
    from .suggest import did_you_mean

    known = [r.id for r in loaded] + [r.name for r in loaded]
    raise fail(f"no rule {rule_id!r}{did_you_mean(rule_id, known)} (see 'policylint rules')")


@main.command("test-rules")
@click.argument("rule_dirs", nargs=-1, type=click.Path(exists=True))
@click.option("--select", multiple=True, help="Only these rules (ids or names; repeatable or comma-separated).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def test_rules(rule_dirs: tuple[str, ...], select: tuple[str, ...], fmt: str) -> None:
    """Run rule fixtures: the built-in rules' (no arguments), or those of the rules in RULE_DIRS
    (fixtures in RULE_DIR/fixtures/<RULE_ID>/ with an expected.yaml; see docs/writing-rules.md).
    Exit 1 when a fixture gives a missing or extra finding."""
    from pathlib import Path

    from .evaluate.rules import RuleError
    from .rule_tests import FixtureError, as_json, plan, render, run

    try:
        chosen, roots = plan([Path(d) for d in rule_dirs], _split(select))
        if not chosen:
            raise fail("no rules to test")
        reports = run(chosen, roots)
    except RuleError as exc:
        raise fail(f"invalid rule: {exc}") from None
    except FixtureError as exc:
        raise fail(str(exc)) from None
    if fmt == "json":
        import json

        click.echo(json.dumps(as_json(reports), indent=2))
    else:
        click.echo(render(reports), nl=False)
    raise click.exceptions.Exit(EXIT_OK if all(r.passed for r in reports) else EXIT_FINDINGS)


@main.command()
@click.argument("path", default=".policylint.yaml", type=click.Path(dir_okay=False))
def init(path: str) -> None:
    """Write a commented starter configuration file (default: .policylint.yaml)."""
    from pathlib import Path

    from .config import write_starter

    try:
        write_starter(Path(path))
    except FileExistsError:
        raise fail(f"{path} already exists") from None
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"wrote {path}")


def _load(rule_dirs: list[str]) -> list[Any]:
    from pathlib import Path

    from .evaluate.rules import RuleError, builtin_rules_dir, load_rules

    try:
        return load_rules([builtin_rules_dir()] + [Path(d) for d in rule_dirs])
    except RuleError as exc:
        raise fail(f"invalid rule: {exc}") from None


def _no_collection_at_exit() -> None:
    """Spare the interpreter's full collections at exit, which traverse the whole heap (rules,
    parse results and all they hold) before it is freed: some 15 ms of a 0.12 s Terraform run.
    Objects still alive are moved out of the collector's reach; the process is ending and its
    output is already written. ``atexit`` handlers still run and modules are still torn down; only
    reference cycles left at exit are not collected."""
    import gc

    gc.freeze()


class Stopped(BaseException):
    """SIGINT or SIGTERM arrived: unwind (workers stopped, no partial output file), then exit
    128 + the signal's number. A BaseException of our own, so that click does not turn it into
    its ``Aborted!`` exit 1, which means findings."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop_on_signals() -> None:
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise Stopped(signum)

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def run() -> None:
    """Console entry point: any error we did not foresee is one line on stderr and exit code 2,
    never a traceback and never exit code 1 (which means findings); SIGINT and SIGTERM exit 130
    and 143."""
    from .console import fewer_collections

    fewer_collections()  # again, for a caller that did not come through policylint.console
    _stop_on_signals()
    try:
        main.main(prog_name="policylint", standalone_mode=True)
    except (Stopped, KeyboardInterrupt) as exc:
        import signal

        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        click.echo("policylint: interrupted" if signum == signal.SIGINT else "policylint: terminated", err=True)
        sys.exit(128 + signum)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        click.echo(f"policylint: internal error: {type(exc).__name__}: {exc} "
                   "(please report it; set POLICYLINT_DEBUG=1 for details)", err=True)
        if os.environ.get("POLICYLINT_DEBUG"):
            raise
        sys.exit(EXIT_ERROR)
    finally:
        _no_collection_at_exit()
