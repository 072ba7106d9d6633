#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries are installed for the tests that run a real
# PostgreSQL (they make their own cluster with initdb in a temporary folder and serve it on
# a free loopback port, as an unprivileged user). Installs Debian's postgresql when no
# /usr/lib/postgresql/*/bin/initdb and no initdb on PATH exist; the package's own cluster
# (15/main on 5432) is kept from starting (see debian.sh).
# Source this file: `. .ci/postgres.sh`.
. "$(dirname "${BASH_SOURCE[0]}")/debian.sh"

_postgres_bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; return 0; fi
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

if [ -z "$(_postgres_bin)" ]; then
  ci_apt_install_without_service postgresql
  if [ -z "$(_postgres_bin)" ]; then
    echo "could not install postgresql; the PostgreSQL tests need initdb and postgres" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
echo "using PostgreSQL at $(_postgres_bin)" >&2
