#!/usr/bin/env bash
# The whole suite, on SQLite and then on PostgreSQL. Set FANGPIN_SKIP_POSTGRES=1 to run SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== 测试：SQLite =="
env -u DATABASE_URL "$BIN/pytest" "$@"

if [ "${FANGPIN_SKIP_POSTGRES:-0}" = "1" ]; then
  echo "（已跳过 PostgreSQL）"
  exit 0
fi
echo "== 测试：PostgreSQL =="
url="${FANGPIN_TEST_DATABASE_URL:-$(bash scripts/pg.sh)}"
DATABASE_URL="$url" "$BIN/pytest" "$@"
