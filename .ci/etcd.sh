#!/usr/bin/env bash
# Makes sure an etcd server is installed for the tests that run a real one (they start
# their own on free loopback ports). Installs Debian's etcd-server when neither
# /usr/bin/etcd nor `etcd` on PATH exists; its system etcd.service is kept from starting.
# Source this file: `. .ci/etcd.sh`.
. "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

_etcd_ok() {
  [ -x /usr/bin/etcd ] || command -v etcd >/dev/null 2>&1
}

if ! _etcd_ok; then
  _install_without_service etcd-server
  if ! _etcd_ok; then
    echo "could not install etcd-server; the etcd tests need /usr/bin/etcd" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
echo "using etcd at $(command -v etcd || echo /usr/bin/etcd)" >&2
