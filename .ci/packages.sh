#!/usr/bin/env bash
# Installing a Debian package whose system service must not start: the tests start their
# own servers on free loopback ports, and CI must not fail because a system service could
# not start. The start is refused for the install (policy-rc.d); only the binaries count.
# Sourced by .ci/etcd.sh and .ci/postgres.sh.

_as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "not root and no sudo: cannot run $*" >&2
    return 1
  fi
}

_apt_install() {
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$1" >&2
}

# Installs package $1 with its service kept from starting (apt-get update once if needed).
# Never fails by itself: the caller checks for the binaries it needs.
_install_without_service() {
  echo "installing $1" >&2
  local policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ] && printf '#!/bin/sh\nexit 101\n' | _as_root tee "$policy" >/dev/null; then
    _as_root chmod 755 "$policy" || true
    own_policy=1
  fi
  _apt_install "$1" || { _as_root apt-get update >&2 && _apt_install "$1"; } || true
  if [ -n "$own_policy" ]; then _as_root rm -f "$policy" || true; fi
}
