#!/usr/bin/env bash
# Runs the steps of .github/workflows/validate.yml on this machine (a test checks they stay in step).
# Needs a Postgres: TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test.
set -euo pipefail
cd "$(dirname "$0")/.."
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

step() { printf '\n== %s\n' "$1" >&2; }

step "Install"
npm ci --no-audit --no-fund
step "Validate pipelines and mappings"
npx billsync validate --format github
step "Workflows match pipelines"
node --import tsx scripts/generate-workflows.ts --check
step "Lint workflows (actionlint, shellcheck)"
node --import tsx scripts/lint-workflows.ts --require-shellcheck
step "Typecheck"
npx tsc --noEmit
step "Tests"
npm test
