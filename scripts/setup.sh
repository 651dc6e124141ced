#!/usr/bin/env bash
# Installs what the app and its tests need on a fresh Debian machine:
# npm packages (when missing or out of date) and, with --browser (the tests), Debian's
# Chromium for the browser tests and clang + lld, which check that the committed
# Winograd module (src/core/winogradWasm.ts) is built from src/wasm/winograd.c.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v clang >/dev/null 2>&1 || missing+=(clang)
  command -v wasm-ld >/dev/null 2>&1 || missing+=(lld)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian's ${missing[*]} for the tests" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
