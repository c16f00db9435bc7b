#!/usr/bin/env bash
# Makes the PostgreSQL server programs available to this project's tests, which start their
# own throwaway cluster in a temp dir on a free port (tests/pg_support.py) and stop it again.
# On Debian, run as root, it installs the `postgresql` package when no initdb is found; it
# starts no server itself. Safe to run again.
set -euo pipefail

find_initdb() {
  if command -v initdb; then
    return 0
  fi
  # Debian keeps the server programs out of PATH, in /usr/lib/postgresql/<version>/bin.
  ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | grep .
}

if ! find_initdb >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci/postgres.sh: PostgreSQL is not installed; as root: apt-get install postgresql" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

initdb="$(find_initdb)"
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  # The tests run the server as this user: PostgreSQL refuses to run as root.
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
echo "PostgreSQL server programs: $(dirname "$initdb") ($("$initdb" --version))"
