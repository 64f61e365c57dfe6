#!/usr/bin/env bash
# Run every test: the whole suite on SQLite, then again on PostgreSQL.
# Extra arguments go to pytest (e.g. scripts/test.sh -k webhook).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
pip install -q --disable-pip-version-check -r requirements-dev.txt

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/luma_studio}"
status=0

echo "== Test suite on SQLite"
env -u DATABASE_URL pytest "$@" || status=$?

echo "== Test suite on PostgreSQL ($PG_URL)"
if python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL is not reachable: {exc}")
    sys.exit(1)
PY
then
  DATABASE_URL="$PG_URL" pytest "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL at $PG_URL"; status=1
else
  echo "Skipped the PostgreSQL run: start PostgreSQL or set TEST_DATABASE_URL."
fi
exit "$status"
