#!/bin/sh
# The `reminders` service of docker-compose.yml: every day at REMINDERS_AT (HH:MM in Asia/Tokyo,
# default 07:00) runs `manage.py send_reminders`, the daily digest. A failed run is logged and the loop
# goes on: it is tried again REMINDERS_RETRY_MINUTES later (default 30) up to REMINDERS_RETRIES times
# (default 3) for the same day — send_reminders mails only what that day's earlier runs did not — and
# then waits for the next day. `scripts/reminders-daily.sh --next` prints when the next run would be.
set -u
at="${REMINDERS_AT:-07:00}"
retry_minutes="${REMINDERS_RETRY_MINUTES:-30}"
retries="${REMINDERS_RETRIES:-3}"
python="${PYTHON:-python}"
cd "$(dirname "$0")/.."

# "<seconds> <YYYY-MM-DD>": how long until the next REMINDERS_AT in Asia/Tokyo, and that day.
next_run() {
    "$python" - "$at" <<'PY'
import re
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", sys.argv[1].strip())
if not match:
    sys.exit(f"REMINDERS_AT={sys.argv[1]!r} は HH:MM（例 07:00、Asia/Tokyo）の形にしてください。")
now = datetime.now(ZoneInfo("Asia/Tokyo"))
run = now.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
if run <= now:
    run += timedelta(days=1)
print(int((run - now).total_seconds()) + 1, run.date().isoformat())
PY
}

log() {
    echo "[reminders $(date -u +%Y-%m-%dT%H:%M:%SZ)] $*"
}

if [ "${1:-}" = "--next" ]; then
    next_run
    exit $?
fi

while :; do
    next="$(next_run)" || exit 2
    wait="${next% *}"
    day="${next#* }"
    log "次のお知らせの送信は ${day} ${at}（Asia/Tokyo、${wait} 秒後）です。"
    sleep "$wait"
    attempt=0
    while :; do
        if "$python" manage.py send_reminders --date "$day"; then
            break
        else
            status=$?
        fi
        attempt=$((attempt + 1))
        log "send_reminders が失敗しました（${day}、終了コード ${status}）。" >&2
        if [ "$attempt" -gt "$retries" ]; then
            log "${day} の再試行を終えます。翌日の送信を待ちます。" >&2
            break
        fi
        log "${retry_minutes} 分後にもう一度実行します（${attempt}/${retries}）。" >&2
        sleep $((retry_minutes * 60))
    done
done
