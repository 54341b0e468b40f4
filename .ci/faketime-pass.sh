#!/usr/bin/env bash
# The time-sensitive suites under libfaketime at moments chosen to break date assumptions: a
# Saturday 23:30 Asia/Shanghai more than a year ahead (beyond the holiday data: the calendar falls
# back to weekdays) and a day inside the Spring Festival holiday. The clock starts at the moment
# and runs on (FAKETIME_DONT_FAKE_MONOTONIC keeps timers sane). PGlite only: a PostgreSQL server
# keeps the real time. Chromium runs without libfaketime; the UI harness gives its pages the faked
# time (test/ui/harness.ts). The two moments run side by side (jest uses one worker on two cores),
# each into its own log, printed when both are done.
# Usage: .ci/faketime-pass.sh REPORT_DIR — writes faketime-<n>.json and faketime-<n>.log there and
# prints "faketime <moment>: N passed, N failed" per moment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPORTS="${1:?usage: .ci/faketime-pass.sh REPORT_DIR}"

command -v faketime >/dev/null || { echo "faketime is not installed (Debian package faketime)"; exit 2; }

# UTC instants: Sat 2028-03-04 23:30 +08:00, and Mon 2027-02-08 10:00 +08:00 (春节 2027-02-06 … 02-12).
moments=("2028-03-04 15:30:00" "2027-02-08 02:00:00")
suites=(test/sla test/scenarios test/api test/open311 test/fire-lane test/notify test/ui)

pids=()
for i in "${!moments[@]}"; do
  m="${moments[$i]}"
  echo "---- faketime @$m UTC: ${suites[*]} (log: faketime-$i.log)"
  FAKETIME_DONT_FAKE_MONOTONIC=1 env -u DATABASE_URL faketime -f "@$m" \
    npx jest "${suites[@]}" --json --outputFile="$REPORTS/faketime-$i.json" >"$REPORTS/faketime-$i.log" 2>&1 &
  pids+=("$!")
done

status=0
for i in "${!moments[@]}"; do
  wait "${pids[$i]}" || status=1
done
for i in "${!moments[@]}"; do
  m="${moments[$i]}"
  echo "---- faketime @$m UTC"
  cat "$REPORTS/faketime-$i.log"
  node -e '
    const fs = require("fs"); const [file, m] = process.argv.slice(1);
    if (!fs.existsSync(file)) { console.log(`faketime ${m}: no jest report`); process.exit(0); }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    console.log(`faketime ${m}: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
  ' "$REPORTS/faketime-$i.json" "$m UTC"
done
exit "$status"
