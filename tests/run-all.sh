#!/usr/bin/env bash
# The whole test suite, as `npm test` and CI run it, on a fresh clone of a fresh
# machine or a developer's warm checkout alike:
#   1. installs npm dependencies when node_modules is missing or differs from package-lock.json;
#   2. installs Debian's chromium when /usr/bin/chromium is missing;
#   3. runs every vitest project (unit, integration, ...). The integration project's global
#      setup downloads Kafka's jars and builds the S3 server once (cached in
#      ${XDG_CACHE_HOME:-~/.cache}/runnel), starts them or reuses running ones, and stops
#      what it started;
#   4. ends with the line `tests: N passed, M failed` and a non-zero exit on any failure.
# Extra arguments go to vitest (a path filter, --project unit, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
began=$SECONDS

step() { printf 'run-all: %s\n' "$*" >&2; }

# The Go toolchain sits outside PATH on some shells of these machines.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi

# node_modules is stale when a package the lockfile wants is missing or at another
# version. npm keeps what it installed in node_modules/.package-lock.json.
deps_stale() {
  [ -f node_modules/.package-lock.json ] || return 0
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const wanted = JSON.parse(readFileSync("package-lock.json", "utf8")).packages;
    const have = JSON.parse(readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    const stale = Object.entries(wanted).filter(([path, pkg]) =>
      path !== "" && (have[path] === undefined ? !pkg.optional : have[path].version !== pkg.version));
    for (const [path] of stale.slice(0, 5)) console.error(`run-all: ${path} differs from package-lock.json`);
    process.exit(stale.length > 0 ? 0 : 1);
  '
}
if deps_stale; then
  step "installing npm dependencies (npm ci)"
  # npm leaves other platforms' optional packages out of a lockfile it wrote on Linux
  # (npm/cli#4828), and then `npm ci` refuses it; `npm install` takes the same locked
  # versions and only adds those entries, in this clone's copy of the lockfile.
  npm_log=$(mktemp -t runnel-npm-ci-XXXXXX.log)
  if ! npm ci --no-audit --no-fund >"$npm_log" 2>&1; then
    grep -m 4 '^npm error [A-Za-z`]' "$npm_log" >&2 || true
    step "npm ci refused; installing the locked versions with npm install"
    npm install --no-audit --no-fund
  else
    grep -v '^npm warn' "$npm_log" || true
  fi
  rm -f "$npm_log"
fi

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then
    step "/usr/bin/chromium is missing and installing it needs root: sudo apt-get install -y chromium"
    exit 1
  fi
  step "installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q -o DPkg::Lock::Timeout=300 chromium
fi

report=$(mktemp -t runnel-vitest-XXXXXX.json)
trap 'rm -f "$report"' EXIT
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
set -e

# Count from vitest's JSON report. A file that failed to load has no failed test but
# failed all the same; so does a run that exited non-zero with every test green
# (an unhandled error, a global setup that could not start a server).
summary=0
node --input-type=module - "$report" "$status" "$((SECONDS - began))" <<'EOF' || summary=$?
import { existsSync, readFileSync } from "node:fs";
const [report, status, seconds] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
if (existsSync(report) && readFileSync(report, "utf8").trim() !== "") {
  const result = JSON.parse(readFileSync(report, "utf8"));
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  skipped = result.numPendingTests + result.numTodoTests;
  const brokenFiles = result.testResults.filter(
    (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"),
  );
  for (const file of brokenFiles) console.error(`run-all: ${file.name} failed outside its tests`);
  failed += brokenFiles.length;
}
if (Number(status) !== 0 && failed === 0) {
  console.error(`run-all: vitest exited with ${status} outside any test (see its output above)`);
  failed = 1;
}
if (skipped > 0) console.log(`run-all: ${skipped} tests skipped or todo`);
console.log(`run-all: finished in ${seconds} s`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
EOF
if [ "$status" -eq 0 ] && [ "$summary" -ne 0 ]; then status=$summary; fi
exit "$status"
