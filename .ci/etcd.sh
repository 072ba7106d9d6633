#!/usr/bin/env bash
# Makes sure an etcd server is installed for the tests that run a real one (they start
# their own on free loopback ports). Installs Debian's etcd-server when neither
# /usr/bin/etcd nor `etcd` on PATH exists. The package enables a system etcd.service on
# 2379; its start is refused for the install (policy-rc.d) and a failure to start it never
# fails CI: only the presence of the binary counts.
# Source this file: `. .ci/etcd.sh`.

_etcd_ok() {
  [ -x /usr/bin/etcd ] || command -v etcd >/dev/null 2>&1
}

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

_apt_install_etcd() {
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >&2
}

if ! _etcd_ok; then
  echo "installing etcd-server" >&2
  _policy=/usr/sbin/policy-rc.d
  _own_policy=""
  if [ ! -e "$_policy" ] && printf '#!/bin/sh\nexit 101\n' | _as_root tee "$_policy" >/dev/null; then
    _as_root chmod 755 "$_policy" || true
    _own_policy=1
  fi
  _apt_install_etcd || { _as_root apt-get update >&2 && _apt_install_etcd; } || true
  if [ -n "$_own_policy" ]; then _as_root rm -f "$_policy" || true; fi
  if ! _etcd_ok; then
    echo "could not install etcd-server; the etcd tests need /usr/bin/etcd" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
echo "using etcd at $(command -v etcd || echo /usr/bin/etcd)" >&2
