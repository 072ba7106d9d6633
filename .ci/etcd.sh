#!/usr/bin/env bash
# Makes sure an etcd server is installed for the tests that run a real one (they start
# their own on free loopback ports). Installs Debian's etcd-server when neither
# /usr/bin/etcd nor `etcd` on PATH exists; its system etcd.service is not started (see
# debian.sh).
# Source this file: `. .ci/etcd.sh`.
. "$(dirname "${BASH_SOURCE[0]}")/debian.sh"
ci_install_debian etcd-server /usr/bin/etcd || return 1 2>/dev/null || exit 1
echo "using etcd at $(command -v etcd || echo /usr/bin/etcd)" >&2
