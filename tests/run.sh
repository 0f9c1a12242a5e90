#!/usr/bin/env bash
# Runs every test of OrleansNsq: the unit, grain and end-to-end test projects of OrleansNsq.sln.
#
#   bash tests/run.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Hostile]
#
# Environment: CONFIGURATION (default Release), TEST_RESULTS_DIR (default <repo>/TestResults),
# TEST_HANG_TIMEOUT (default 10m: a single test running longer is treated as hung),
# ORLEANSNSQ_TEST_POSTGRES (an Npgsql connection string of a superuser for the PostgreSQL storage tests; when unset,
# a throw-away cluster is started here (tests/postgres.sh) and removed at exit).
# The last line printed is "N passed, N failed", counted from the TRX files the run wrote. The
# exit code is non-zero when any test failed, when a test host crashed or hung (it then counts as a
# failure even if no test result says so), or when no test ran at all.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
configuration="${CONFIGURATION:-Release}"
results="${TEST_RESULTS_DIR:-$root/TestResults}"
hang_timeout="${TEST_HANG_TIMEOUT:-10m}"

# The end-to-end tests run nsqjs scripts; they need tests/nsqjs/node_modules.
if [ ! -d tests/nsqjs/node_modules/nsqjs ]; then
  echo "tests/run.sh: installing the nsqjs test client (npm ci in tests/nsqjs)"
  (cd tests/nsqjs && npm ci --no-audit --no-fund)
fi

rm -rf "$results"
mkdir -p "$results"

# The PostgreSQL storage tests need a server (docs/STORAGE.md, "Tests"). Without one they fail under CI=true and are
# skipped elsewhere, saying why.
source "$root/tests/postgres.sh"
if [ -z "${ORLEANSNSQ_TEST_POSTGRES:-}" ]; then
  if find_postgres_bin >/dev/null; then
    trap stop_test_postgres EXIT
    # A cluster that will not start must not end the run before its count line: the PostgreSQL tests then fail
    # (CI=true) or are skipped, each saying the variable is missing.
    start_test_postgres || echo "tests/run.sh: PostgreSQL did not start (see above); ORLEANSNSQ_TEST_POSTGRES is not set" >&2
  elif [ "${CI:-}" = "true" ]; then
    echo "tests/run.sh: no PostgreSQL (initdb) found; the PostgreSQL tests will fail" >&2
  else
    echo "tests/run.sh: no PostgreSQL (initdb) found; the PostgreSQL tests are skipped (apt-get install postgresql)"
  fi
fi

# --blame-hang-timeout: a test that hangs this long has its host killed, which fails the run instead
# of running into CI's hard time limit. No dump: it would only cost time and disk.
status=0
dotnet test OrleansNsq.sln -c "$configuration" \
  --logger "trx;LogFilePrefix=tests" \
  --logger "console;verbosity=normal" \
  --results-directory "$results" \
  --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none \
  "$@" || status=$?

# Count the results from the TRX files. Every TRX is one test assembly's run.
python3 - "$results" "$status" "$root" "$#" <<'PY'
import glob, os, re, sys
import xml.etree.ElementTree as ET

results, status, root, extra_args = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = other = 0
problems = []

trx_files = sorted(glob.glob(os.path.join(results, "**", "*.trx"), recursive=True))
for path in trx_files:
    name = os.path.basename(path)
    try:
        run = ET.parse(path).getroot()
    except ET.ParseError as e:
        failed += 1
        problems.append(f"{name}: unreadable TRX ({e})")
        continue
    for result in run.iterfind(".//t:UnitTestResult", ns):
        outcome = result.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
            failed += 1
            # The first lines of the failure's message, so the summary at the end of a long log says why.
            message = (result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=ns) or "").strip()
            reason = " | ".join(message.splitlines()[:3])[:400]
            problems.append(f"{outcome}: {result.get('testName')}" + (f"\n      {reason}" if reason else ""))
        else:
            other += 1
    # A crashed or hung test host is a run-level error ("The active test run was aborted...");
    # its unfinished tests have no result at all. xUnit's own "[xUnit.net ...] X [FAIL]" lines are
    # run-level errors too, but their tests are already counted above.
    run_errors = [
        (info.findtext("t:Text", default="", namespaces=ns) or "").strip()
        for info in run.iterfind(".//t:RunInfos/t:RunInfo", ns)
        if info.get("outcome") == "Error"
    ]
    run_errors = [text for text in run_errors if not text.startswith("[xUnit.net")]
    summary = run.find("t:ResultSummary", ns)
    summary_outcome = summary.get("outcome") if summary is not None else "missing"
    if run_errors or summary_outcome in ("Aborted", "Error", "Timeout", "missing"):
        failed += 1
        detail = run_errors[0].splitlines()[0] if run_errors else f"run outcome {summary_outcome}"
        problems.append(f"{name}: test run did not complete: {detail}")

# Without a filter every test project writes one TRX; a project that did not (build failure, a
# runner that died) counts as a failure.
projects = [
    p for p in glob.glob(os.path.join(root, "tests", "*", "*.csproj"))
    if re.search(r"<IsTestProject>\s*true\s*</IsTestProject>", open(p, encoding="utf-8").read(), re.I)
]
if extra_args == 0 and len(trx_files) < len(projects):
    failed += len(projects) - len(trx_files)
    problems.append(f"{len(projects)} test projects but {len(trx_files)} TRX files")

if status != 0 and failed == 0:
    failed += 1
    problems.append(f"dotnet test exited with code {status} without a failing test result (build error or crashed host)")

print()
print(f"TRX files: {len(trx_files)} in {results}")
for p in problems:
    print(f"  {p}")
if other:
    print(f"  {other} tests neither passed nor failed (skipped or not executed)")
if passed + failed == 0:
    print("no test ran")
print(f"{passed} passed, {failed} failed" + (f", {other} skipped" if other else ""))
sys.exit(1 if failed or passed == 0 else 0)
PY
