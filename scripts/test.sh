#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL, the two passes at once (one core each: CI has two). The PostgreSQL
# pass's output is kept and printed after the SQLite pass's. Set FANGPIN_SKIP_POSTGRES=1 to run SQLite only, or
# FANGPIN_SERIAL=1 to run the passes one after the other (output as it comes).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ "${FANGPIN_SKIP_POSTGRES:-0}" = "1" ]; then
  echo "== 测试：SQLite =="
  env -u DATABASE_URL "$BIN/pytest" "$@"
  echo "（已跳过 PostgreSQL）"
  exit 0
fi
url="${FANGPIN_TEST_DATABASE_URL:-$(bash scripts/pg.sh)}"
# the PostgreSQL pass keeps its files (secret key, uploads) apart from the SQLite pass's
pg_var="$PWD/var/test-postgres"

if [ "${FANGPIN_SERIAL:-0}" = "1" ]; then
  echo "== 测试：SQLite =="
  env -u DATABASE_URL "$BIN/pytest" "$@"
  echo "== 测试：PostgreSQL =="
  FANGPIN_VAR_DIR="$pg_var" DATABASE_URL="$url" "$BIN/pytest" "$@"
  exit 0
fi

pg_log=$(mktemp)
trap 'rm -f "$pg_log"' EXIT
FANGPIN_VAR_DIR="$pg_var" DATABASE_URL="$url" "$BIN/pytest" "$@" >"$pg_log" 2>&1 &
pg_pid=$!
echo "== 测试：SQLite（PostgreSQL 一轮同时在后台运行）=="
set +e
env -u DATABASE_URL "$BIN/pytest" "$@"
sqlite_rc=$?
wait "$pg_pid"
pg_rc=$?
set -e
echo "== 测试：PostgreSQL =="
cat "$pg_log"
echo "SQLite：退出码 $sqlite_rc；PostgreSQL：退出码 $pg_rc"
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]
