"""The load test's workload (run by bench/load.sh with locust --headless).

`PortalUser`: a signed-in person (session cookies from bench/sessions.py) reading the dashboard,
lists and details, and one request in ten a write (health-centre staff register a meeting; they
open the form page once when their session starts, as a browser would have it, and POST it). Between requests each one pauses 0.5–1.5 s, as a person clicking
through pages does. `HealthProbe`: one extra client asking /healthz twice a second in the same
run, the baseline each figure is compared with.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from datetime import date
from pathlib import Path

from locust import HttpUser, between, constant_pacing, events, task

DATA = json.loads(
    Path(os.environ.get("BENCH_SESSIONS", "var/load-sessions.json")).read_text(encoding="utf-8")
)
DASHBOARD = os.environ.get("BENCH_DASHBOARD_URLS", "")  # "url1 url2" when the dashboard is on main
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORIES = ("hospital_psw", "consultation_office", "municipality", "health_centre", "peer")
_next_user = iter(range(10**9))


class PortalUser(HttpUser):
    weight = 32
    wait_time = between(0.5, 1.5)

    def on_start(self):
        index = next(_next_user)
        self.profile = DATA["users"][index % len(DATA["users"])]
        self.client.cookies.set(DATA["session_cookie"], self.profile["cookie"])
        self.rng = random.Random(index)
        self.csrf = None
        if self.profile["role"] in ("health_centre", "prefecture"):
            # The form page once, as the browser that signed in would have it open: its token
            # (and the csrftoken cookie) serve every later write of this session.
            with self.client.get(
                "/meetings/new/", name="会議の登録（フォーム）", catch_response=True
            ) as form:
                match = CSRF_RE.search(form.text or "")
                if form.status_code != 200 or not match:
                    form.failure(f"HTTP {form.status_code}")
                else:
                    self.csrf = match.group(1)

    def _get(self, path, name):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(3)
    def dashboard(self):
        if DASHBOARD:
            self._get(self.rng.choice(DASHBOARD.split()), "ダッシュボード")
        else:
            self._get("/", "ホーム")

    @task(2)
    def home(self):
        self._get("/", "ホーム")

    @task(6)
    def meeting_list(self):
        roll = self.rng.random()
        if roll < 0.4:
            self._get("/meetings/", "会議一覧")
        elif roll < 0.7:
            self._get(f"/meetings/?page={self.rng.randint(2, 400)}", "会議一覧（ページ送り）")
        else:
            region = self.rng.choice(DATA["regions"])
            year = self.rng.choice(DATA["fiscal_years"])
            self._get(f"/meetings/?region={region}&fiscal_year={year}", "会議一覧（絞り込み）")

    @task(4)
    def meeting_detail(self):
        if DATA["meetings"]:
            self._get(f"/meetings/{self.rng.choice(DATA['meetings'])}/", "会議の詳細")

    @task(2)
    def training_list(self):
        self._get("/training/", "研修一覧")

    @task(1)
    def sheet(self):
        self._get("/sheets/2022/", "共有シート")

    @task(2)
    def write(self):
        """One task in ten: staff and officials register a meeting (viewers, who may not, read the list)."""
        if not self.csrf:
            self._get("/meetings/", "会議一覧")
            return
        today = date.today().isoformat()
        data = {
            "csrfmiddlewaretoken": self.csrf,
            "kind": "regional_coordination",
            "title": "負荷試験の圏域連絡調整会議",
            "date": today,
            "start_time": "14:00",
            "end_time": "16:00",
            "place": "会議室",
            "region": str(self.profile["regions"][0] if self.profile["regions"] else DATA["regions"][0]),
            "organiser": f"centre:{self.profile['centre']}"
            if self.profile["centre"]
            else "division:disability_support",
            "agenda-0-position": "1",
            "agenda-0-title": "地域移行の取組状況について",
            "minutes": "",
            "decisions": "",
            "status": "held",
            "version": "",
            **{f"p-{c}": str(self.rng.randint(1, 5)) for c in CATEGORIES},
        }
        data.update({"agenda-TOTAL_FORMS": "1", "agenda-INITIAL_FORMS": "0", "agenda-MAX_NUM_FORMS": "40"})
        for prefix, maximum in (("actions", 50), ("cases", 30)):
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": "0",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-MIN_NUM_FORMS": "0",
                    f"{prefix}-MAX_NUM_FORMS": str(maximum),
                }
            )
        with self.client.post(
            "/meetings/new/", data=data, name="会議の登録（保存）", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}（保存されませんでした）")


class HealthProbe(HttpUser):
    fixed_count = 1
    weight = 1
    wait_time = constant_pacing(0.5)

    @task
    def healthz(self):
        with self.client.get("/healthz", name="/healthz", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


# --- the summary load.sh keeps: exact percentiles over every response of each group ----------------

GROUPS = {"混合（サインイン済み）": [], "うち書き込み（会議の登録）": [], "/healthz（同じ実行）": []}
FAILURES = dict.fromkeys(GROUPS, 0)
SPAN = {}


@events.spawning_complete.add_listener
def start_measuring(user_count, **kwargs):
    """Steady state only: what happened while clients were still starting (and opening their
    form pages) is not counted, as locust's own --reset-stats does for its table."""
    for samples in GROUPS.values():
        samples.clear()
    FAILURES.update(dict.fromkeys(GROUPS, 0))
    SPAN.clear()


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, **kwargs):
    now = time.time()
    SPAN.setdefault("first", now)
    SPAN["last"] = now
    groups = ["/healthz（同じ実行）"] if name == "/healthz" else ["混合（サインイン済み）"]
    if name == "会議の登録（保存）":
        groups.append("うち書き込み（会議の登録）")
    for group in groups:
        GROUPS[group].append(response_time)
        if exception is not None:
            FAILURES[group] += 1


def _percentile(samples, q):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0


@events.quitting.add_listener
def write_summary(environment, **kwargs):
    out = os.environ.get("BENCH_LOAD_OUT")
    if not out:
        return
    seconds = max(1e-9, SPAN.get("last", 0) - SPAN.get("first", 0))
    rows = {
        group: {
            "requests": len(samples),
            "rps": len(samples) / seconds,
            "p50_ms": _percentile(samples, 0.50),
            "p99_ms": _percentile(samples, 0.99),
            "failures": FAILURES[group],
        }
        for group, samples in GROUPS.items()
    }
    by_name = {
        entry.name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p99_ms": entry.get_response_time_percentile(0.99),
        }
        for entry in environment.stats.entries.values()
    }
    errors = [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in environment.stats.errors.values()]
    summary = {
        "vendor": os.environ.get("BENCH_VENDOR", ""),
        "workers": int(os.environ.get("BENCH_WORKERS", "2")),
        "users": int(os.environ.get("BENCH_USERS", "32")),
        "seconds": int(os.environ.get("BENCH_SECONDS", "60")),
        "think_time_s": "0.5–1.5",
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "rows": rows,
        "by_name": by_name,
        "errors": errors,
    }
    Path(out).write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
