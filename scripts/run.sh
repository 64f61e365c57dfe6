#!/usr/bin/env bash
# Start the whole site for development: install, migrate, demo user, simulator, worker, web.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8000}"
SIM_PORT="${SIMULATOR_PORT:-8765}"
export SIMULATOR_PORT="$SIM_PORT"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
export SIMULATOR_DELAY_SECONDS="${SIMULATOR_DELAY_SECONDS:-8}"
export WORKER_SWEEP_SECONDS="${WORKER_SWEEP_SECONDS:-5}"

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
echo "Installing requirements…"
pip install -q --disable-pip-version-check -r requirements.txt
python manage.py migrate --noinput -v 0
python manage.py createcachetable  # the shared cache when CACHE_URL names the database
python manage.py ensure_demo_user --staff >/dev/null

mkdir -p run
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

python manage.py run_simulator --port "$SIM_PORT" >run/simulator.log 2>&1 &
pids+=($!)
# Two workers, one per queue: submissions, the sweep and callbacks never wait for a copy.
python manage.py run_worker --queue-name default >run/worker.log 2>&1 &
pids+=($!)
python manage.py run_worker --queue-name media --no-sweep-timer >run/media-worker.log 2>&1 &
pids+=($!)

cat <<MSG

  Luma Studio is starting at  http://127.0.0.1:$PORT/
  Demo login:                 demo / demo-password-123   (also admin at /admin/)
  REST API docs:              http://127.0.0.1:$PORT/api/docs/
  AceDataCloud simulator:     http://127.0.0.1:$SIM_PORT  (videos take ${SIMULATOR_DELAY_SECONDS}s)
  Logs:                       run/simulator.log, run/worker.log, run/media-worker.log

  Press Ctrl-C to stop everything.

MSG
# uvicorn, as production's live processes: pages, and live updates when the database can
# push them (PostgreSQL or Redis; on SQLite pages poll). config.asgi is a production entry
# point, so development mode is asked for here.
DEBUG="${DEBUG:-true}" python -m uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT"
