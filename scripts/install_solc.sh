#!/usr/bin/env bash
# Installs solc-js (npm `solc`) into .tools/solc for scripts/solc/solc, the `solc`
# command zkaccel's EVM verifier generation runs. Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
# snark-verifier 0.2 pins `pragma solidity 0.8.19` in the verifiers it writes.
SOLC_VERSION=0.8.19
if [ -f .tools/solc/node_modules/solc/package.json ] &&
   grep -q "\"version\": \"$SOLC_VERSION\"" .tools/solc/node_modules/solc/package.json; then
    exit 0
fi
command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
mkdir -p .tools/solc
npm install --prefix .tools/solc "solc@$SOLC_VERSION" --no-audit --no-fund --loglevel=error
