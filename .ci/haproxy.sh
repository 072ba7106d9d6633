#!/usr/bin/env bash
# Makes sure HAProxy is installed for the tests that check rendered configs with
# `haproxy -c` and route real requests through one (they start their own on free loopback
# ports, never a privileged one), and openssl, which makes their self-signed certificates.
# Installs Debian's haproxy and openssl when missing; the system haproxy.service is not
# started (see debian.sh).
# Source this file: `. .ci/haproxy.sh`.
. "$(dirname "${BASH_SOURCE[0]}")/debian.sh"
ci_install_debian haproxy /usr/sbin/haproxy || return 1 2>/dev/null || exit 1
ci_install_debian openssl /usr/bin/openssl || return 1 2>/dev/null || exit 1
echo "using $(command -v haproxy || echo /usr/sbin/haproxy): $( (haproxy -v 2>/dev/null || /usr/sbin/haproxy -v) | head -1)" >&2
