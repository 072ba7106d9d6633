#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries are installed for the tests that run a real
# PostgreSQL (they make their own cluster with initdb in a temporary folder and serve it on
# a free loopback port, as an unprivileged user). Installs Debian's postgresql when no
# /usr/lib/postgresql/*/bin/initdb and no initdb on PATH exist. The package creates and
# enables a system cluster on 5432; its start is refused for the install (policy-rc.d) and
# a failure to start it never fails CI: only the presence of the binaries counts.
# Source this file after .ci/etcd.sh (it uses its _as_root): `. .ci/postgres.sh`.

_postgres_ok() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1
}

_apt_install_postgres() {
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
}

if ! _postgres_ok; then
  echo "installing postgresql" >&2
  _policy=/usr/sbin/policy-rc.d
  _own_policy=""
  if [ ! -e "$_policy" ] && printf '#!/bin/sh\nexit 101\n' | _as_root tee "$_policy" >/dev/null; then
    _as_root chmod 755 "$_policy" || true
    _own_policy=1
  fi
  _apt_install_postgres || { _as_root apt-get update >&2 && _apt_install_postgres; } || true
  if [ -n "$_own_policy" ]; then _as_root rm -f "$_policy" || true; fi
  if ! _postgres_ok; then
    echo "could not install postgresql; the PostgreSQL tests need initdb and postgres" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
echo "using PostgreSQL at $(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || command -v initdb)")" >&2
