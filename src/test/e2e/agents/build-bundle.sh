#!/usr/bin/env bash
# Rebuilds src/main/webapp/vendor/agents-client-<version>.js (and its licence file) from the
# pinned `agents` client in package.json / package-lock.json with the pinned esbuild.
# Needs Node and npm; building or running the WAR does not (the bundle is committed).
# usage: src/test/e2e/agents/build-bundle.sh [outDir]
set -euo pipefail
cd "$(dirname "$0")"
# not npm ci: see dev.steadfast.testing.Npm (the lockfile leaves out other platforms' binaries)
npm install --no-audit --no-fund --loglevel=error
exec node build-bundle.mjs "$@"
