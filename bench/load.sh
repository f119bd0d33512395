#!/usr/bin/env bash
# Load test: gunicorn (2 workers) on a free 127.0.0.1 port, 32 signed-in clients with a mixed
# workload (bench/locustfile.py) for 60 s, plus one client asking /healthz in the same run.
#
#   DATABASE_URL=postgres://…/portal_bench bench/load.sh        # after bench/generate.py
#
# BENCH_SECONDS, BENCH_USERS and BENCH_WORKERS change the defaults. The summary goes to
# bench/results/load-<vendor>.json and bench/RESULTS.md is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
export BENCH_SECONDS=${BENCH_SECONDS:-60}
export BENCH_USERS=${BENCH_USERS:-32}
export BENCH_WORKERS=${BENCH_WORKERS:-2}
export DEBUG=0 SECURE_HTTPS=0 STATIC_MANIFEST=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-bench-only-not-a-secret}
mkdir -p var bench/results

if ! "$BIN/locust" --version >/dev/null 2>&1; then
  echo "locust がありません: $BIN/pip install -e '.[bench]' を実行してください" >&2
  exit 2
fi

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BENCH_VENDOR=$("$PY" -c '
import os, sys; sys.path.insert(0, ".")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamaguchi_portal.settings")
import django; django.setup()
from django.db import connection; print(connection.vendor)')
"$PY" bench/sessions.py var/load-sessions.json
# The indicator dashboard (prefecture and one region) when it is there; the home page otherwise.
export BENCH_DASHBOARD_URLS=$("$PY" -c '
import os, sys; sys.path.insert(0, ".")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamaguchi_portal.settings")
import django; django.setup()
from bench.dataset import LAST_OBSERVATION_FY
from bench.landing import NotLanded, dashboard_url
from regions.models import Region
class Ctx: pass
try:
    print(dashboard_url(Ctx(), region=None), dashboard_url(Ctx(), region=Region.objects.get(code="3501")))
except NotLanded:
    print("")')

"$BIN/gunicorn" yamaguchi_portal.wsgi:application --workers "$BENCH_WORKERS" --bind "127.0.0.1:$PORT" \
  --access-logfile /dev/null --error-logfile var/load-gunicorn.log &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

echo "負荷試験: $BENCH_VENDOR、gunicorn ワーカー $BENCH_WORKERS、$BENCH_USERS クライアント、$BENCH_SECONDS 秒（127.0.0.1:$PORT）"
BENCH_SESSIONS=var/load-sessions.json BENCH_LOAD_OUT="bench/results/load-$BENCH_VENDOR.json" \
  "$BIN/locust" -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  --users "$((BENCH_USERS + 1))" --spawn-rate 8 --run-time "${BENCH_SECONDS}s" \
  --stop-timeout 10 --reset-stats --only-summary --loglevel WARNING || true  # locust exits 1 on any failure; the summary says so

"$PY" - "bench/results/load-$BENCH_VENDOR.json" <<'PYEOF'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
print()
print("| 対象 | リクエスト数 | 毎秒 | 中央値 (ms) | p99 (ms) | エラー |")
print("|---|---:|---:|---:|---:|---:|")
for name, row in data["rows"].items():
    print(f"| {name} | {row['requests']:,} | {row['rps']:.1f} | {row['p50_ms']:.0f} | {row['p99_ms']:.0f} | {row['failures']} |")
for error in data["errors"]:
    print("エラー:", error)
PYEOF
"$PY" bench/report.py >/dev/null
echo "bench/results/load-$BENCH_VENDOR.json と bench/RESULTS.md を更新しました。"
