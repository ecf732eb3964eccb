#!/usr/bin/env bash
# Installs the third-party programs the interoperability and browser tests drive: node-smpp at the version pinned in
# tests/interop/package-lock.json and Debian's Net::SMPP (tests/interop), puppeteer-core at the version pinned in
# tests/portal/package-lock.json and Debian's chromium (tests/portal; puppeteer-core downloads no browser).
# Idempotent and quiet: does nothing when all are already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

# npm ci in $1 unless its node_modules holds package $2 at the version its package-lock.json pins.
npm_ci_unless_current() {
  cd "$root/$1"
  if ! node -e "require('$2')" >/dev/null 2>&1 || \
     [ "$(node -p "require('$2/package.json').version" 2>/dev/null)" != "$(node -p "require('./package-lock.json').packages['node_modules/$2'].version")" ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

apt_install_unless() {
  local present=$1
  shift
  if ! eval "$present" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "$@" >/dev/null 2>&1 || {
      apt-get update -qq >/dev/null
      apt-get install -y -qq "$@" >/dev/null
    }
  fi
}

npm_ci_unless_current tests/interop smpp
npm_ci_unless_current tests/portal puppeteer-core
apt_install_unless "perl -MNet::SMPP -e 1" libnet-smpp-perl
apt_install_unless "test -x /usr/bin/chromium" chromium
