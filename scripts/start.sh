#!/usr/bin/env bash
# Sets up (npm packages, MNIST data) and starts the app at http://localhost:5173
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run dev -- "$@"
