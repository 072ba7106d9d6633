#!/usr/bin/env bash
# Installing Debian packages for the tests that run real servers (etcd, HAProxy,
# PostgreSQL). A package that ships a system service has that service's start refused for
# the install (policy-rc.d), and a failure to start it never fails CI: the tests start
# their own servers on free loopback ports, so only the binaries count.
#   ci_apt_install_without_service PACKAGE   installs it (apt-get update once if needed);
#                                            never fails by itself: the caller checks
#   ci_install_debian PACKAGE BINARY         installs PACKAGE unless BINARY (an absolute
#                                            path, or a name on PATH) is there; returns 1,
#                                            saying why, when it is still missing
# Source this file: `. .ci/debian.sh`.

_ci_has() {
  [ -x "$1" ] || command -v "$(basename "$1")" >/dev/null 2>&1
}

_ci_as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "not root and no sudo: cannot run $*" >&2
    return 1
  fi
}

_ci_apt_install() {
  _ci_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$1" >&2
}

ci_apt_install_without_service() {
  local package="$1" policy=/usr/sbin/policy-rc.d own_policy=""
  echo "installing $package" >&2
  if [ ! -e "$policy" ] && printf '#!/bin/sh\nexit 101\n' | _ci_as_root tee "$policy" >/dev/null; then
    _ci_as_root chmod 755 "$policy" || true
    own_policy=1
  fi
  _ci_apt_install "$package" || { _ci_as_root apt-get update >&2 && _ci_apt_install "$package"; } || true
  if [ -n "$own_policy" ]; then _ci_as_root rm -f "$policy" || true; fi
}

ci_install_debian() {
  local package="$1" binary="$2"
  _ci_has "$binary" && return 0
  ci_apt_install_without_service "$package"
  if ! _ci_has "$binary"; then
    echo "could not install $package; the tests that run it need $binary" >&2
    return 1
  fi
}
