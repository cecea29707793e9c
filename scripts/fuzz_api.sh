#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI schema (schemathesis), logged in as a county bureau user of the demo.
# Needs `make run` (or the demo server) on http://127.0.0.1:8000. Writes junk into that database: use a throwaway one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
"$BIN/python" -c "import schemathesis" 2>/dev/null || "$BIN/pip" install -q schemathesis
BASE=${BASE:-http://127.0.0.1:8000}
read -r COOKIE TOKEN < <("$BIN/python" - "$BASE" <<'PY'
import sys, requests
base = sys.argv[1]
s = requests.Session()
s.get(f"{base}/accounts/login/")
s.post(f"{base}/accounts/login/", data={"username": "xianju", "password": "fangpin-demo-2026",
                                        "csrfmiddlewaretoken": s.cookies["csrftoken"]})
print(f"sessionid={s.cookies['sessionid']};csrftoken={s.cookies['csrftoken']}", s.cookies["csrftoken"])
PY
)
"$BIN/schemathesis" run "$BASE/api/openapi.json" -H "Cookie: $COOKIE" -H "X-CSRFToken: $TOKEN" -H "Referer: $BASE/" \
  --checks not_a_server_error --max-examples "${EXAMPLES:-40}"
