#!/usr/bin/env bash
# Sets up (npm packages, MNIST data), builds the app and serves the production build at
# http://localhost:8080 with the headers it is deployed with (vite preview: cross-origin
# isolation, Content-Security-Policy). `npm run dev` serves the development build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
npx vite preview --port 8080 --strictPort "$@"
