#!/usr/bin/env bash
# Makes a fresh clone runnable: installs packages when node_modules is
# missing or older than the lock file, and builds the notebook app when its
# build is missing or older than its sources. Fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "runnel: installing packages (npm ci)..." >&2
  # npm ci refuses a lockfile written on Linux without other platforms' optional
  # packages (npm/cli#4828); npm install then takes the same locked versions.
  # npm ci's refusal is expected then, so its error text is kept out of sight unless npm install fails too.
  npm_log=$(mktemp -t runnel-npm-ci-XXXXXX.log)
  if ! npm ci --no-audit --no-fund --loglevel=error >"$npm_log" 2>&1; then
    echo "runnel: npm ci refused the lock file; installing the locked versions with npm install..." >&2
    npm install --no-audit --no-fund --loglevel=error
  fi
  rm -f "$npm_log"
fi

if [ -f vite.config.ts ] && [ -d notebook/app ]; then
  newest_source=$(find notebook vite.config.ts -type f -newer dist/app/index.html 2>/dev/null | head -1 || true)
  if [ ! -f dist/app/index.html ] || [ -n "$newest_source" ]; then
    echo "runnel: building the notebook app (vite build)..." >&2
    npx vite build --logLevel warn
  fi
fi
