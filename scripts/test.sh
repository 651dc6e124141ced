#!/usr/bin/env bash
# Every test: that the committed wasm module is built from the current C source, type check, unit and
# integration tests (vitest, Node), then the end-to-end tests in Debian's Chromium
# (Playwright). Sets up what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
npm run data
npm run build:wasm -- --check
npm run typecheck
npx vitest run
npx playwright test
