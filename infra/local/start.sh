#!/usr/bin/env bash
# `npm start`: everything from a fresh clone to a running MicroTick, in the foreground.
#  1. PostgreSQL, Redis and NATS JetStream installed and running (infra/setup.sh; without
#     root it prints the apt-get line to run instead);
#  2. npm packages installed from the lockfile if node_modules is missing;
#  3. TypeScript compiled (`tsc -b`, incremental: seconds when nothing changed);
#  4. infra/local/dist/start.js: the client's `next build` when stale, then every process.
# Settings: see README.md, "Running locally".
set -euo pipefail
cd "$(dirname "$0")/../.."
export MICROTICK_STARTED_AT="${MICROTICK_STARTED_AT:-$(date +%s%3N)}"

# A second `npm start` must say so before it rebuilds anything under the first one's feet.
lock=.local/npm-start.json
if [ -f "$lock" ]; then
  pid=$(sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p' "$lock" | head -n 1)
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'infra/local/dist/start.js'; then
    url=$(sed -n 's/^ *"url": *"\([^"]*\)".*/\1/p' "$lock" | head -n 1)
    echo "MicroTick is already running (pid $pid) at $url." >&2
    echo "Use that one, or stop it first: Ctrl-C in its terminal, or \`kill $pid\`." >&2
    exit 1
  fi
fi

bash infra/setup.sh
if [ ! -d node_modules ]; then
  echo "[local] installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "[local] compiling TypeScript (tsc -b)"
npx tsc -b
exec node infra/local/dist/start.js
