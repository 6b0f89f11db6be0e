#!/usr/bin/env bash
# Run by rusm-wire's `verify` phase (so by ./dev test and CI): builds this package and runs its
# node --test suites against a real Java node started from rusm-wire's test classes.
#   RUSM_WIRE_TARGET  rusm-wire/target (with test-deps.classpath written by Maven)
#   RUSM_JAVA         the JDK 25 java Maven runs with
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "[rusm-wire] the TypeScript tests need node and npm, and CI must run them (.ci/run installs nodejs npm)" >&2
    exit 1
  fi
  echo "[rusm-wire] SKIPPED the TypeScript tests (clients/typescript): node/npm are not on PATH; .ci/run installs them"
  exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "[rusm-wire] SKIPPED the TypeScript tests: Node $(node --version) is older than 20"
  exit 0
fi
target=${RUSM_WIRE_TARGET:?}
echo "$target/test-classes:$target/classes:$(cat "$target/test-deps.classpath")" > "$target/test-app.classpath"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error </dev/null
fi
npm run build --silent
# The TAP output also goes to target/typescript-tests.log, to read after a failed run.
set -o pipefail
RUSM_TEST_CLASSPATH="$target/test-app.classpath" node --test --test-concurrency=1 --test-timeout=120000 dist/test/*.test.js 2>&1 \
  | tee "$target/typescript-tests.log"
