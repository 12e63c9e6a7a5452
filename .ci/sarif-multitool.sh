#!/usr/bin/env bash
# Validate policylint's SARIF with Microsoft's SARIF multitool and its GitHub ingestion rules
# (rule kinds Sarif and Gh). The multitool exits 0 even when it finds problems, so this script
# reads its output log and fails on any error or warning.
# Inputs: the SARIF of the examples and of every fixture, plain, with --show-suppressed, with a
# baseline, and written beside other reports in one run (-f text -f sarif -f junit). Usage: .ci/sarif-multitool.sh   (POLICYLINT=path/to/policylint to pick the binary)
set -euo pipefail
cd "$(dirname "$0")/.."

POLICYLINT=${POLICYLINT:-$( [ -x .venv/bin/policylint ] && echo .venv/bin/policylint || command -v policylint )}
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3 )}
TOOLS=build/sarif-multitool
WORK=build/sarif-check
VERSION=5.7.0

command -v npm >/dev/null || { echo "sarif-multitool.sh: npm is needed to install the SARIF multitool" >&2; exit 1; }
if [ ! -x "$TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "@microsoft/sarif-multitool@$VERSION" >/dev/null
fi
MULTITOOL=$(cd "$TOOLS" && node -p "require('@microsoft/sarif-multitool')")
SCHEMA="$TOOLS/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json"
[ -n "${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-}" ] || { ldconfig -p 2>/dev/null | grep -q libicu || export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1; }

rm -rf "$WORK" && mkdir -p "$WORK"
mapfile -t FIXTURES < <(find fixtures -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.tf' -o -name '*.template' \) ! -name expected.yaml | sort)

scan() {  # scan NAME ARGS...: write $WORK/NAME.sarif (exit 1 = findings, which is expected)
  local name=$1; shift
  local status=0
  "$POLICYLINT" scan --no-config --format sarif --output "$WORK/$name.sarif" "$@" 2>/dev/null || status=$?
  if [ "$status" -gt 1 ]; then echo "policylint failed ($status) on: $*" >&2; exit 1; fi
}
scan examples examples
scan fixtures "${FIXTURES[@]}"
scan examples-suppressed --show-suppressed examples "${FIXTURES[@]}"
"$POLICYLINT" scan --no-config --write-baseline "$WORK/baseline.json" examples/cloudformation >/dev/null 2>&1
scan examples-baseline --show-suppressed --baseline "$WORK/baseline.json" examples
"$POLICYLINT" scan --no-config --baseline "$WORK/baseline.json" -f text -f sarif -f junit \
  -o - -o "$WORK/examples-several.sarif" -o "$WORK/examples-several.xml" examples >/dev/null 2>&1 || [ $? -eq 1 ]

failed=0
for sarif in "$WORK"/*.sarif; do
  case $sarif in *.validation.sarif) continue ;; esac
  log="${sarif%.sarif}.validation.sarif"
  "$MULTITOOL" validate "$sarif" --rule-kind "Sarif;Gh" --level "Error;Warning;Note" -j "$SCHEMA" \
    -o "$log" --log ForceOverwrite >/dev/null
  "$PYTHON" - "$sarif" "$log" <<'PY' || failed=1
import json, sys
sarif, log = sys.argv[1:]
with open(sarif, encoding="utf-8") as handle:
    checked = json.load(handle)
with open(log, encoding="utf-8") as handle:
    results = json.load(handle)["runs"][0].get("results", [])
bad = [r for r in results if r.get("level", "warning") in ("error", "warning")]
notes = len(results) - len(bad)
count = len(checked["runs"][0]["results"])
for r in bad:
    print(f"  {r.get('level', 'warning')} {r['ruleId']}: {r['message'].get('text', r['message'])}")
print(f"{sarif}: {count} results checked, {len(bad)} errors/warnings, {notes} notes")
sys.exit(1 if bad or count == 0 else 0)
PY
done
exit "$failed"
