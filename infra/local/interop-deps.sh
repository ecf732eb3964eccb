#!/usr/bin/env bash
# Installs the third-party SMPP clients the interoperability tests drive (tests/interop):
# node-smpp at the version pinned in tests/interop/package-lock.json, and Debian's Net::SMPP.
# Idempotent and quiet: does nothing when both are already there.
set -euo pipefail
cd "$(dirname "$0")/../../tests/interop"

if ! node -e "require('smpp')" >/dev/null 2>&1 || \
   [ "$(node -p "require('smpp/package.json').version" 2>/dev/null)" != "$(node -p "require('./package-lock.json').packages['node_modules/smpp'].version")" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

if ! perl -MNet::SMPP -e 1 >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq libnet-smpp-perl >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    apt-get install -y -qq libnet-smpp-perl >/dev/null
  }
fi
