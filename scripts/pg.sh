#!/usr/bin/env bash
# Start Debian's PostgreSQL (if it is not running) and make a role that may create test databases.
# Prints the DATABASE_URL to use.
set -euo pipefail
# Only the URL goes to stdout: pg_ctlcluster prints notes such as "Removed stale pid file." there.
exec 3>&1 1>&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! $SUDO pg_lsclusters -h 2>/dev/null | grep -q "^$ver main"; then
  $SUDO pg_createcluster "$ver" main >/dev/null 3>&-
fi
if ! $SUDO pg_lsclusters -h | grep "^$ver main" | grep -q online; then
  $SUDO pg_ctlcluster "$ver" main start 3>&-
fi
port=$($SUDO pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fangpin') THEN
    CREATE ROLE fangpin LOGIN CREATEDB PASSWORD 'fangpin';
  END IF;
END \$\$;
SQL
as_postgres psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname='fangpin'" | grep -q 1 \
  || as_postgres createdb -p "$port" -O fangpin fangpin
echo "postgres://fangpin:fangpin@127.0.0.1:$port/fangpin" >&3
