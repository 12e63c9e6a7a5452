"""Docs that cannot drift: every fenced snippet of README.md and docs/*.md that is YAML, TOML, a
shell command or a rule is run here, and must succeed as shown.

A snippet's info string is ``LANG [file=PATH] [fails] [fragment=rule]``:

- ``file=PATH``: a file of the page's example; it is written at PATH in the page's workspace,
  where the page's commands use it (a rule among them must load).
- ``fails``: shown failing on purpose; the test holds it to fail (exit code 2 for a command, an
  error for a configuration or a rule).
- ``fragment=rule``: a part of a rule file; it must load merged into a minimal rule.

What each snippet must do: a YAML rule loads (``policylint rules --rules``); a template or policy
scans without ``PL0001``; a pre-commit configuration names hooks that exist; a workflow gives the
policylint action only inputs it has; any other YAML, and TOML, is a configuration file and a
scan with it does not stop with an error. A shell line ``policylint ...`` runs (exit 0 or 1) in the
page's workspace (a git folder holding the repository's ``examples/``, also as ``infra/``, and
the page's ``file=`` files); ``python3 -m venv ...`` lines (the README's install-and-run
commands) must be in ``.ci/run`` verbatim, which runs them; ``pre-commit try-repo`` names a hook
that exists (test_workflow_precommit runs it on the checkout). A block that starts with
``$ policylint ...`` is a transcript: the command runs and every line shown after it (but
``...``) is in its output. A failure names the page and line of the snippet.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import REPO, policylint_command

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CHECKED = ("yaml", "yml", "toml", "sh", "shell", "bash", "console", "text", "")


@dataclass
class Snippet:
    page: Path
    line: int
    lang: str
    body: str
    file: str | None
    fails: bool
    fragment: str | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO).as_posix()}:{self.line}"


def snippets(page: Path) -> list[Snippet]:
    text = page.read_text(encoding="utf-8")
    out = []
    for match in FENCE.finditer(text):
        words = match["info"].split()
        lang = words[0] if words else ""
        attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        out.append(Snippet(page, text.count("\n", 0, match.start()) + 1, lang, match["body"],
                           attrs.get("file"), "fails" in words[1:], attrs.get("fragment")))
    return out


ALL = [s for page in PAGES for s in snippets(page) if s.lang in CHECKED]


def _commands(snippet: Snippet) -> list[str]:
    """The command lines of a shell snippet or transcript."""
    lines = [line.strip() for line in snippet.body.splitlines()]
    if snippet.lang in ("text", "console", ""):
        return [lines[0][2:]] if lines and lines[0].startswith("$ ") else []
    return [line[2:] if line.startswith("$ ") else line for line in lines if line and not line.startswith("#")]


RUN = [s for s in ALL if s.lang in ("yaml", "yml", "toml") or _commands(s)]


def _workspace(tmp_path: Path, page: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / ".git").mkdir()  # the configuration search stops here
    shutil.copytree(REPO / "examples", work / "examples")
    shutil.copytree(REPO / "examples", work / "infra")
    for other in snippets(page):
        if other.file:
            target = work / other.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(other.body, encoding="utf-8")
    return work


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(policylint_command() + args, cwd=cwd, capture_output=True, text=True, timeout=300)


def _rule_dirs(page: Path) -> list[str]:
    """The folders of the page's example rules (``file=`` rules)."""
    return sorted({Path(s.file).parts[0] for s in snippets(page) if s.file and _is_rule(s.body)})


def _is_rule(body: str) -> bool:
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and bool(re.fullmatch(r"PL\d{4}", str(data.get("id", ""))))


def _expect(snippet: Snippet, ok: bool, detail: str) -> None:
    if snippet.fails:
        assert not ok, f"{snippet.where}: the snippet is marked as failing, but it succeeds"
    else:
        assert ok, f"{snippet.where}: {detail}"


MINIMAL_RULE = {
    "id": "PL9990", "name": "DocFragment", "severity": "low", "title": "t", "description": "d",
    "remediation": "r", "references": [], "tags": [], "unknown": "ignore", "message": "m",
    "resource": {"kinds": ["s3.bucket"]}, "forbid": {"path": "name", "equals": "x"},
}


def _check_yaml(snippet: Snippet, work: Path) -> None:
    try:
        data = yaml.safe_load(snippet.body)
    except yaml.YAMLError as exc:
        _expect(snippet, False, f"not valid YAML: {exc}")
        return
    if snippet.fragment == "rule":
        rule = {**MINIMAL_RULE, **data}
        if "require" in data:
            rule.pop("forbid")
        (work / "fragment").mkdir()
        (work / "fragment" / "rule.yaml").write_text(yaml.safe_dump(rule))
        result = _run(["rules", "--rules", "fragment"], work)
        _expect(snippet, result.returncode == 0, f"the rule fragment does not load: {result.stderr.strip()}")
    elif _is_rule(snippet.body):
        folder = work / "snippet-rule"
        folder.mkdir(exist_ok=True)
        (folder / "rule.yaml").write_text(snippet.body)
        result = _run(["rules", "--rules", str(folder)], work)
        _expect(snippet, result.returncode == 0, f"the rule does not load: {result.stderr.strip()}")
    elif isinstance(data, dict) and ({"AWSTemplateFormatVersion", "Resources", "Statement"} & set(data)):
        (work / "snippet.yaml").write_text(snippet.body)
        result = _run(["scan", "snippet.yaml", "--no-config", "-f", "json", "--select", "PL0001"], work)
        _expect(snippet, result.returncode == 0, f"the template does not parse: {result.stdout}{result.stderr}")
    elif isinstance(data, dict) and "repos" in data or isinstance(data, list) and all("id" in h for h in data):
        hooks = data if isinstance(data, list) else [h for r in data["repos"] for h in r["hooks"]]
        known = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
        unknown = sorted({h["id"] for h in hooks} - known)
        _expect(snippet, not unknown, f"names hooks .pre-commit-hooks.yaml does not have: {unknown}")
    elif isinstance(data, dict) and "jobs" in data:
        inputs = set(yaml.safe_load((REPO / "action.yml").read_text())["inputs"])
        steps = [s for job in data["jobs"].values() for s in job.get("steps", [])]
        ours = [s for s in steps if str(s.get("uses", "")).split("@")[0] == "policylint/policylint"]
        assert ours, f"{snippet.where}: a workflow that does not use the policylint action"
        unknown = sorted({k for s in ours for k in (s.get("with") or {})} - inputs)
        _expect(snippet, not unknown, f"gives the action inputs action.yml does not have: {unknown}")
    else:
        _check_configuration(snippet, work, ".policylint.yaml", snippet.body)


def _check_configuration(snippet: Snippet, work: Path, name: str, text: str) -> None:
    dirs = _rule_dirs(snippet.page)
    if dirs and name == ".policylint.yaml" and "rule-dirs" not in (yaml.safe_load(text) or {}):
        text += f"\nrule-dirs: {dirs}\n"  # the page's options refer to its example rules
    (work / name).write_text(text)
    result = _run(["scan", "examples", "-f", "json", "-o", "report.json"], work)
    _expect(snippet, result.returncode in (0, 1), f"a scan with this configuration fails: {result.stderr.strip()}")


def _check_commands(snippet: Snippet, work: Path) -> None:
    ci = (REPO / ".ci" / "run").read_text()
    for command in _commands(snippet):
        words = shlex.split(command)
        if words[0] == "policylint":
            result = subprocess.run(["bash", "-c", command], cwd=work, capture_output=True, text=True, timeout=300,
                                    env={"PATH": f"{Path(policylint_command()[0]).parent}:/usr/bin:/bin"})
            _expect(snippet, result.returncode in (0, 1),
                    f"'{command}' exited {result.returncode}: {result.stderr.strip()[:300]}")
            if snippet.lang in ("text", "console", ""):
                shown = [line for line in snippet.body.splitlines()[1:] if line.strip() and line.strip() != "..."]
                missing = [line for line in shown if line not in result.stdout + result.stderr]
                assert not missing, f"{snippet.where}: the transcript shows lines '{command}' does not print: {missing}"
        elif words[:3] == ["python3", "-m", "venv"]:
            assert command in ci, f"{snippet.where}: .ci/run does not run this command as written: {command}"
        elif words[:2] == ["pre-commit", "try-repo"]:
            known = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
            assert words[3] in known, f"{snippet.where}: no hook {words[3]!r} in .pre-commit-hooks.yaml"
        else:
            raise AssertionError(f"{snippet.where}: a shell line this test cannot check: {command}")


@pytest.mark.parametrize("snippet", RUN, ids=lambda s: s.where)
def test_snippet_succeeds_as_shown(snippet, tmp_path):
    work = _workspace(tmp_path, snippet.page)
    if snippet.lang in ("yaml", "yml"):
        if snippet.file:
            if _is_rule(snippet.body):
                result = _run(["rules", "--rules", str(Path(snippet.file).parent)], work)
                _expect(snippet, result.returncode == 0, f"the rule does not load: {result.stderr.strip()}")
            return  # a file of the page's example: its commands use it
        _check_yaml(snippet, work)
    elif snippet.lang == "toml":
        _check_configuration(snippet, work, "pyproject.toml", snippet.body)
    else:
        _check_commands(snippet, work)


def test_there_are_snippets_of_every_kind():
    kinds = {s.lang for s in RUN}
    assert {"yaml", "toml", "sh"} <= kinds, kinds
    assert len(RUN) >= 20


def test_the_readme_usage_lists_every_scan_option():
    usage = next(s for s in snippets(REPO / "README.md") if s.body.startswith("policylint scan [PATH"))
    help_text = _run(["scan", "--help"], REPO).stdout
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", help_text)) - {"--help"}
    missing = sorted(o for o in options if o not in usage.body)
    assert not missing, f"{usage.where}: the usage list omits {missing}"
    stale = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", usage.body)) - options - {"--version", "--format"})
    assert not stale, f"{usage.where}: the usage list names options scan does not have: {stale}"


def test_the_readme_counts_the_rules_that_are_off():
    numbers = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"\((\w+) of them off until configured\)", readme)
    assert stated, "README.md no longer says how many rules are off"
    listed = yaml.safe_load(_run(["rules", "--format", "json"], REPO).stdout)
    off = sum(1 for rule in listed if not rule["enabled"])
    assert numbers.get(stated[1], stated[1]) in (off, str(off)), f"README.md says {stated[1]} rules are off; {off} are"


def test_the_init_starter_file_scans_and_so_do_its_commented_examples(tmp_path):
    (tmp_path / ".git").mkdir()
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    assert _run(["init"], tmp_path).returncode == 0
    starter = tmp_path / ".policylint.yaml"
    result = _run(["scan", "examples", "-f", "json", "-o", "report.json"], tmp_path)
    assert result.returncode == 1, result.stderr  # the examples have findings; the file is valid
    # Every commented example, uncommented under its key, is valid too: "# key: value" settings,
    # and the indented "#   ..." lines under an empty "key: []" / "key: {}".
    lines = starter.read_text().splitlines()
    changed = 0
    for index, line in enumerate(lines):
        setting = re.match(r"^# ([a-z][a-z-]*: \S.*)$", line)
        example = re.match(r"^#(\s{2,}\S.*)$", line)
        if setting:
            lines[index] = setting[1]
        elif example:
            owner = index - 1
            while re.match(r"^\s{2,}\S", lines[owner]):
                owner -= 1
            assert re.match(r"^[a-z][a-z-]*:( \[\]| \{\})?$", lines[owner]), f"an example under no key: {line}"
            lines[owner] = lines[owner].split(":")[0] + ":"
            lines[index] = example[1]
        else:
            continue
        changed += 1
    assert changed >= 3, "the starter file shows no commented example"
    starter.write_text("\n".join(lines) + "\n")
    result = _run(["scan", "examples", "-f", "json", "-o", "report.json"], tmp_path)
    assert result.returncode in (0, 1), f"the starter's examples, uncommented, fail:\n{starter.read_text()}\n{result.stderr}"
