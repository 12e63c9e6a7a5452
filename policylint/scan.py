"""The pipeline: discover → load → normalise → evaluate → suppress → report (the CLI reports)."""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from . import budget
from .confine import redactor
from .discover import TERRAFORM_SUFFIXES, Candidate, Skipped, discover
from .evaluate.conditions import RegexTimeout
from .evaluate.engine import evaluate
from .evaluate.rules import Rule, builtin_rules_dir, load_rules
from .findings import SEVERITY_RANK, Finding
from .identity_cache import forget_task
from .load.documents import MARKERS, Parsed, load_document
from .load.errors import LoadError
from .load.json_loader import release_kept
from .load.located import Span
from .model import Incomplete, ParseProblem, Resource
from .parallel import map_tasks
from .suppress import Directive, SuppressionIndex, apply_suppressions

PARSE_ERROR = "PL0001"
INCOMPLETE = "PL0002"  # could not be fully evaluated
ALWAYS = (PARSE_ERROR, INCOMPLETE)  # reported whatever is selected, unless ignored by name


@dataclass
class ScanOptions:
    """What to scan and with which rules."""

    paths: list[str] = field(default_factory=lambda: ["."])
    rule_dirs: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    follow_symlinks: bool = False
    root: str = "."
    option_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    severity_overrides: dict[str, str] = field(default_factory=dict)  # rule id or name → severity
    inline_ignores: bool = True  # honour ignore comments and template Metadata
    path_ignores: list[Directive] = field(default_factory=list)  # the configuration's suppressions
    today: dt.date | None = None  # for suppression expiry (default: the current date)
    jobs: int = 1  # processes for large scans (see parallel.py); the output does not depend on it
    var_files: list[str] = field(default_factory=list)  # Terraform --var-file, in order
    variables: dict[str, str] = field(default_factory=dict)  # Terraform --var name=value


@dataclass
class ScanResult:
    """Everything a report needs."""

    rules: list[Rule]
    findings: list[Finding]
    files: list[str]
    parse_errors: list[Finding]
    skipped: list[Skipped]
    notices: list[str] = field(default_factory=list)  # suppressions that were not applied, and why
    modules: list[Any] = field(default_factory=list)  # remote Terraform modules not downloaded (SkippedModule)
    absent: list[dict] = field(default_factory=list)  # baseline entries of the scanned files no finding matched
    config_file: str | None = None  # the configuration file used, as reported
    config_changes: list[str] = field(default_factory=list)  # what it narrows (Config.narrowing), named in every report


def select_rules(rules: list[Rule], select: list[str], ignore: list[str]) -> list[Rule]:
    """Enabled rules narrowed by ``select`` and ``ignore`` (rule ids, names, tags, benchmarks or
    benchmark controls: ``cis-aws-foundations-3.0``, ``aws-fsbp:S3.5``)."""
    if select or ignore:  # only then is a rule's compliance mapping read
        from .compliance import selectors

    def named(rule: Rule, wanted: list[str]) -> bool:
        return any(w in (rule.id, rule.name) or w in rule.tags or w in selectors(rule.compliance) for w in wanted)

    def picked(rule: Rule) -> bool:
        if not select:
            return rule.enabled
        # A rule that is off by default runs only when named by id or name, never through a tag.
        return named(rule, select) if rule.enabled else any(w in (rule.id, rule.name) for w in select)

    # What could not be parsed or fully evaluated is always reported unless PL0001 / PL0002 is ignored.
    chosen = [r for r in rules if r.id in ALWAYS or picked(r)]
    return [r for r in chosen if not named(r, ignore)]


def unknown_selector(names: list[str], rules: list[Rule]) -> tuple[str, str] | None:
    """The first of ``names`` (``--select``/``--ignore`` values, on the command line or in the
    configuration) that names no rule, rule name, tag, benchmark or control of ``rules``, with
    the message saying so; ``None`` when every one does."""
    from .compliance import selectors
    from .suggest import did_you_mean

    known = {r.id for r in rules} | {r.name for r in rules} | {t for r in rules for t in r.tags}
    known |= {s for r in rules for s in selectors(r.compliance)}
    for name in names:
        if name not in known:
            return name, f"no rule, rule name or tag {name!r}{did_you_mean(name, known)}"
    return None


def load_all_rules(options: ScanOptions, loaded: list[Rule] | None = None) -> list[Rule]:
    """Built-in rules plus the user's directories, selected. ``loaded``: the same rules, already
    compiled without option overrides (used unless the options override some)."""
    rules = loaded
    if rules is None or options.option_overrides:
        rules = load_rules([builtin_rules_dir()] + [Path(d) for d in options.rule_dirs], options.option_overrides)
    for rule in rules:
        override = options.severity_overrides.get(rule.id, options.severity_overrides.get(rule.name))
        if override is not None:  # the user's severity holds for every finding of the rule
            rule.severity = override
            rule.ready()
            rule.severity_by = tuple(replace(tier, severity=override) for tier in rule.severity_by)
    return select_rules(rules, options.select, options.ignore)


def resources_of(parsed: Parsed, notices: list[str] | None = None) -> list[Resource]:
    """Normalise one parsed document (``notices`` gains what it refers to and is not followed)."""
    if parsed.format == "cloudformation":
        from .normalise import cloudformation

        return cloudformation.build_resources(parsed.data, parsed.path, notices)
    if parsed.format == "serverless":
        from .normalise import serverless

        return serverless.build_resources(parsed.data, parsed.path, notices, parsed.disk_path)
    if parsed.format == "policy":
        from .normalise import policy_file

        return policy_file.build_resources(parsed.data, parsed.path)
    if parsed.format == "tf-plan":
        from .normalise.terraform import plan

        return plan.build_resources(parsed.data, parsed.path)
    return []


def parse_rule_of(rules: list[Rule], rule_id: str = PARSE_ERROR) -> Rule | None:
    """The selected ``PL0001`` (or ``rule_id``) rule (``None`` when the user ignores it)."""
    return next((r for r in rules if r.id == rule_id), None)


def parse_findings(rules: list[Rule], problems: list[tuple[str, str, Span]], rule_id: str = PARSE_ERROR) -> list[Finding]:
    """The ``PL0001`` findings for ``(file, message, span)`` of what could not be parsed (with
    ``rule_id`` ``PL0002``: of what could not be fully evaluated); none when the user ignores it."""
    rule = parse_rule_of(rules, rule_id)
    if rule is None:
        return []
    prefix = "could not be fully evaluated: " if rule_id == INCOMPLETE else ""
    return [Finding(rule_id, rule.severity, prefix + message, file, span, resource="", element=message)
            for file, message, span in problems]


def problem_findings(rules: list[Rule], problems: list[ParseProblem]) -> list[Finding]:
    """``PL0001`` / ``PL0002`` findings of a normaliser's problems."""
    unread = [(p.file, p.message, p.span) for p in problems if not isinstance(p, Incomplete)]
    partial = [(p.file, p.message, p.span) for p in problems if isinstance(p, Incomplete)]
    return parse_findings(rules, unread) + parse_findings(rules, partial, INCOMPLETE)


def lint_document(candidate: Candidate, rules: list[Rule], always: bool = False) -> "TaskResult":
    """Lint one JSON/YAML file (one that may not be read is a ``PL0002`` saying why)."""
    if candidate.refused is not None:
        return TaskResult([candidate.display], [], parse_findings(
            rules, [(candidate.display, f"{candidate.display} is not read: {candidate.refused}", Span(1, 1, 1, 1))],
            INCOMPLETE))
    targeted = any(r.files and r.targets_file(candidate.display) for r in rules)
    parsed = load_document(candidate.path, always=always or targeted)
    if not_a_template(candidate.path, parsed):
        return TaskResult([], [], [], skipped=[Skipped(candidate.display, "a .template file that is not a JSON or "
                                                                           "YAML mapping: not CloudFormation")])
    placeholder = unexpanded_template(candidate.display, parsed)
    if placeholder is not None:
        return TaskResult([], [], [], skipped=[Skipped(candidate.display, f"Jinja markup in a project template's folder "
                                                                           f"('{placeholder}'): not JSON/YAML until generated")])
    errors = parse_findings(rules, [(candidate.display, p.message, p.span) for p in parsed.problems])
    if parsed.format == "other" and not targeted:
        return TaskResult([], [], errors)
    if parsed.format == "unparsable":
        return TaskResult([candidate.display], [], errors)
    parsed.path, parsed.disk_path = candidate.display, candidate.path
    notices: list[str] = []
    spending = budget.Budget()
    index = SuppressionIndex()
    index.add_source(candidate.display, parsed.text, parsed.data if parsed.format == "cloudformation" else None)
    if parsed.format == "tf-plan" and not targeted:
        # A plan may hold hundreds of thousands of resources: each is judged as soon as it is
        # built, and it and its part of the plan are dropped then (memory bounded by the text).
        from .normalise.terraform import plan

        findings = evaluate(rules, _one_by_one(plan.iter_resources(parsed.data, parsed.path, consume=True),
                                               spending, index))
    else:
        with budget.active(spending):
            resources = resources_of(parsed, notices)
        if targeted:
            from .normalise.document import document_resource

            resources.append(document_resource(parsed.data, candidate.display))
        index.add_resources(resources)
        findings = evaluate(rules, resources)
    errors += parse_findings(rules, [(n.file or candidate.display, n.message, n.span) for n in spending.notes], INCOMPLETE)
    return TaskResult([candidate.display], findings, errors, index, notices)


def _one_by_one(resources: Iterator[Resource], spending: budget.Budget, index: SuppressionIndex) -> Iterator[Resource]:
    """``resources`` built one at a time under the task's budget (what judges them in between is
    not charged to it), each source resource's place recorded in ``index``."""
    while True:
        with budget.active(spending):
            resource = next(resources, None)
        if resource is None:
            return
        if resource.kind is None:
            index.add_resources([resource])
        yield resource


def not_a_template(path: str, parsed: Parsed) -> bool:
    """Whether a ``.template`` file is some other tool's template (a Visual Studio ``.sln.template``,
    a Jinja file): text that is not a JSON/YAML mapping and shows none of the words of a
    CloudFormation template or policy."""
    if not path.endswith(".template") or not (parsed.text or "").strip() or isinstance(parsed.data, dict):
        return False
    return parsed.format in ("unparsable", "other") and not any(marker in parsed.text for marker in MARKERS)


# Compiled when first used (``re`` keeps them compiled): only a file that does not parse needs them.
_PLACEHOLDER_FOLDER = r"\{\{.*?\}\}"
_JINJA = r"(?s)\{\{.*?\}\}|\{%.*?%\}"


def unexpanded_template(display: str, parsed: Parsed) -> str | None:
    """The folder placeholder (``{{cookiecutter.project_name}}``) of a file of a project template
    (cookiecutter, copier) that does not parse because of its Jinja markup: it is a generator's
    input, not a template to deploy. Such files that do parse are linted as written."""
    if parsed.format != "unparsable":
        return None
    folders = [part for part in display.split("/")[:-1] if re.search(_PLACEHOLDER_FOLDER, part)]
    if not folders or not re.search(_JINJA, parsed.text or ""):
        return None
    return folders[0]


@dataclass
class Task:
    """One unit of work: a JSON/YAML file, or a Terraform module (a folder's .tf files)."""

    kind: str  # document | terraform
    candidates: list[Candidate]
    always: bool = False


@dataclass
class TaskResult:
    files: list[str]
    findings: list[Finding]
    parse_errors: list[Finding]
    suppressions: SuppressionIndex | None = None  # the task's ignore comments and resource blocks
    notices: list[str] = field(default_factory=list)  # e.g. a SAM nested application not followed
    modules: list[Any] = field(default_factory=list)  # remote Terraform modules not downloaded (SkippedModule)
    skipped: list[Skipped] = field(default_factory=list)  # files found not to be what their name says


def plan_tasks(candidates: list[Candidate], explicit: set[str]) -> list[Task]:
    """Group candidates into tasks: each document alone, Terraform files by folder."""
    tasks: list[Task] = []
    modules: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.kind in ("terraform", "tfvars"):  # a variables file named alone lints its module
            modules.setdefault(os.path.dirname(candidate.path), []).append(candidate)
        else:
            # Named files are always linted; others (a .template too: Visual Studio and other tools
            # use the suffix) only when their text shows a template's or policy's markers.
            always = os.path.abspath(candidate.path) in explicit
            tasks.append(Task("document", [candidate], always))
    tasks.extend(Task("terraform", files) for _, files in sorted(modules.items()))
    return tasks


def run_task(task: Task, rules: list[Rule], options: ScanOptions) -> TaskResult:
    """Lint one task; never raises for bad input (it becomes a PL0001 finding). A bug of ours
    met on one file is reported on that file, and the scan goes on."""
    try:
        try:
            if task.kind == "document":
                return lint_document(task.candidates[0], rules, task.always)
            return lint_terraform(task.candidates, rules, options)
        finally:
            release_kept()  # what a plan's loader kept out of the collector's reach
            forget_task()
    except RegexTimeout:
        raise  # a rule's mistake, not the file's: the scan stops with an error naming the rule
    except Exception as exc:  # noqa: BLE001 - confined to this task's files, reported there
        try:
            detail = str(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot even describe itself
            detail = "?"
        message = f"internal error while linting this file ({type(exc).__name__}: {detail}); please report it"
        displays = [c.display for c in task.candidates]
        return TaskResult(displays, [], parse_findings(rules, [(d, message, Span(1, 1, 1, 1)) for d in displays]))


def lint_terraform(candidates: list[Candidate], rules: list[Rule], options: ScanOptions) -> TaskResult:
    """Lint one Terraform module: the given files, with the rest of their folder as context."""
    from .normalise import terraform

    resources, problems, file_texts = terraform.build_module(candidates, options)
    displays = {c.display for c in candidates}

    def ours(file: str) -> bool:  # other .tf files of the folder are context, linted when passed
        return file in displays or not file.endswith(TERRAFORM_SUFFIXES)

    def caused(finding: Finding) -> bool:  # its place, or a place its value came from, was passed
        return ours(finding.file) or any(r.file in displays for r in finding.related)

    modules = [p for p in problems if isinstance(p, terraform.SkippedModule)]
    # What could not be evaluated is reported wherever it stopped: in a called module too (the
    # other files of this folder report their own when they are linted).
    folders = {os.path.dirname(d) for d in displays}

    def called(file: str) -> bool:
        return os.path.dirname(file) not in folders

    errors = problem_findings(rules, [p for p in problems if not isinstance(p, terraform.SkippedModule)
                                      and (ours(p.file) or isinstance(p, Incomplete) and called(p.file))])
    # A finding inside a called module is reported too: its resource names the module call.
    findings = [f for f in evaluate(rules, resources) if caused(f) or f.resource.startswith("module.")]
    if file_texts:
        redact = redactor(file_texts)
        for finding in findings:
            finding.message = redact(finding.message, finding.file)
    index = SuppressionIndex()
    for candidate in candidates:  # a file that may not be read is reported by the module build
        index.add_source(candidate.display, None if candidate.refused else _text_or_none(candidate.path))
    index.add_resources(resources)
    return TaskResult(sorted(displays), findings, errors, index, modules=modules)


def _text_or_none(path: str) -> str | None:
    from .load.text import read_text

    try:
        return read_text(path)
    except LoadError:
        return None


def scan(options: ScanOptions, rules: list[Rule] | None = None, loaded: list[Rule] | None = None,
         progress: Callable[[int], Callable[[Task], None]] | None = None) -> ScanResult:
    """Run the pipeline over ``options.paths`` with ``rules`` (default: :func:`load_all_rules`, given
    the rules already ``loaded``). ``progress(total files)`` gives what is told of each task done."""
    reload = load_all_rules if rules is None else None
    rules = load_all_rules(options, loaded) if rules is None else rules
    root = os.path.abspath(options.root)
    candidates, skipped = discover(options.paths, root, options.exclude, options.follow_symlinks)
    explicit = {os.path.abspath(p) for p in options.paths if not os.path.isdir(p)}
    findings: list[Finding] = []
    parse_errors: list[Finding] = []
    files: list[str] = []
    index = SuppressionIndex(list(options.path_ignores))
    tasks = plan_tasks(candidates, explicit)
    task_notices: list[str] = []
    modules: dict[tuple, Any] = {}
    done = progress(sum(len(t.candidates) for t in tasks)) if progress is not None else None
    for result in map_tasks(run_task, tasks, rules, options, options.jobs, reload=reload, done=done):
        files.extend(result.files)
        findings.extend(result.findings)
        parse_errors.extend(result.parse_errors)
        task_notices.extend(result.notices)
        for module in result.modules:  # a module call met by several tasks is one
            modules.setdefault((module.file, module.span[:2], module.message), module)
        skipped.extend(result.skipped)
        if options.inline_ignores:
            index.extend(result.suppressions)
    # A module file linted on its own and reached from Terraform callers gives each finding once.
    # A module reached from several callers gives each finding once, naming the callers.
    findings = merge_shared(merge_module_instances(findings))
    if options.paths and not any(os.path.isdir(p) for p in options.paths):
        # Files named one by one (a pre-commit hook): the other Terraform files of their folders
        # and the modules they call are context; findings there are reported when those files are
        # named, or when a named file is where their value came from (a variable's default, a
        # tfvars entry). (A policy read through file() is part of the named file's configuration.)
        named = {c.display for c in candidates}
        findings = [f for f in findings if not f.file.endswith(TERRAFORM_SUFFIXES) or not named.isdisjoint(f.files)]
    # A --var-file with a syntax error is met by every Terraform task: report it once.
    parse_errors = list({(f.file, f.span[:4], f.message): f for f in reversed(parse_errors)}.values())
    # What could not be fully evaluated is a finding like any other, not a file that could not be read.
    findings += [f for f in parse_errors if f.rule_id == INCOMPLETE]
    parse_errors = [f for f in parse_errors if f.rule_id != INCOMPLETE]
    all_findings = sorted(findings + parse_errors, key=Finding.sort_key)
    notices = task_notices + apply_suppressions(all_findings, index, options.today or dt.date.today())
    parse_errors.sort(key=Finding.sort_key)
    skipped.sort(key=lambda s: (s.display, s.reason))
    unfollowed = [modules[key] for key in sorted(modules)]
    return ScanResult(rules, all_findings, sorted(files), parse_errors, skipped, notices, modules=unfollowed)


_MODULE_PATH = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+")


def merge_module_instances(findings: list[Finding]) -> list[Finding]:
    """One finding per offending element however many module calls reach it (and however many
    tasks lint its file): findings of one rule at the same place, about the same resource of the
    module and with the same message (the module path aside) become one, whose message names the
    callers when there are several."""
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        local = _MODULE_PATH.sub("", finding.resource)
        message = finding.message.replace(finding.resource, local) if finding.resource else finding.message
        groups.setdefault((finding.rule_id, finding.file, finding.span[:4], message), []).append(finding)
    out = []
    for group in groups.values():
        group.sort(key=lambda f: (len(f.resource), f.resource))
        first = group[0]
        callers = sorted({_caller(f.resource) for f in group})
        if len(callers) > 1:
            first.callers = [c for c in callers if c != _caller(first.resource)]
            first.message += f" (the same element is reached through {len(callers)} callers: {', '.join(callers)})"
        out.append(first)
    return out


def merge_shared(findings: list[Finding]) -> list[Finding]:
    """One finding per offending place written once for several resources (a SAM ``Globals``
    environment, a Serverless ``provider.environment``, a function URL and the permission it
    implies): findings of one rule at such a place become one, whose message names the resources."""
    groups: dict[tuple, list[Finding]] = {}
    out: list[Finding] = []
    for finding in findings:
        if finding.shared:
            groups.setdefault((finding.rule_id, finding.file, finding.span[:4]), []).append(finding)
        else:
            out.append(finding)
    for group in groups.values():
        first = group[0]
        others = sorted({f.resource for f in group[1:]} - {first.resource})
        if others:
            first.callers = first.callers + others
            names = ", ".join([first.resource] + others)
            first.message += f" (written once for {len(others) + 1} resources: {names})"
        out.append(first)
    out.sort(key=Finding.sort_key)
    return out


def _caller(resource: str) -> str:
    found = _MODULE_PATH.match(resource)
    return found.group(0).rstrip(".") if found else "the module itself"


def at_or_above(findings: list[Finding], threshold: str) -> list[Finding]:
    """Findings whose severity is at least ``threshold``."""
    floor = SEVERITY_RANK[threshold]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= floor and f.suppression is None]
