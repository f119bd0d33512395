"""Measure every page on the current database (DATABASE_URL), as ratios to /healthz.

    python bench/generate.py --scale 1 --fresh     # first, once per database
    python bench/run.py                            # prints the table, updates bench/RESULTS.md

Each page is requested in-process through django.test.Client (signed in with force_login; a
prefecture official's session is also marked as past TOTP with the helper the tests use) with
DEBUG off, after one untimed warm-up request. For each page: the median and 95th percentile of
server time over `--repeat` runs (a response is finished when its body, streamed or not, has been
read), the number of SQL queries (CaptureQueriesContext, a separate run), and for exports,
imports and PDFs the peak of Python memory allocated during one more run (tracemalloc; its own
run because tracing slows Python down). /healthz is measured in the same way in the same run,
so every median is also shown as a multiple of it, which holds on a noisy machine.

Results go to bench/results/<vendor>-<scale>.json; bench/RESULTS.md is rebuilt from every
results file there (bench/report.py), so the SQLite and PostgreSQL runs end up side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamaguchi_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory and renders differently

RESULTS_DIR = Path(__file__).resolve().parent / "results"

from bench.landing import NotLanded  # noqa: E402  (after sys.path is set)


@dataclass
class Page:
    """One measured request. `build(ctx)` returns (user, method, url, data) or raises NotLanded."""

    key: str
    label: str
    build: object
    repeat: int | None = None  # None: --repeat
    memory: bool = False
    prepare: object = None  # called before every timed request (e.g. empty the PDF cache)
    after: object = None  # called with the context after every request, untimed (e.g. undo an import)
    target: str = ""


@dataclass
class Result:
    key: str
    label: str
    status: str  # "ok", "not_landed", "error"
    note: str = ""
    url: str = ""
    runs: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    cpu_ms: float | None = None  # median CPU time of this process (Python side; the database's not included)
    ratio: float | None = None
    queries: int | None = None
    peak_mb: float | None = None
    child_rss_mb: float | None = None  # PDFs render in a forked process: its peak resident memory
    bytes: int | None = None
    http_status: int | None = None
    target: str = ""
    samples_ms: list[float] = field(default_factory=list)


def url(name, *args, query: str = "") -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse(name, args=args)
    except NoReverseMatch as exc:
        raise NotLanded(f"URL「{name}」がありません") from exc
    return f"{path}?{query}" if query else path


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# --- the dataset the pages are measured on ------------------------------------------------------


class Context:
    """Users, the Yamaguchi prefecture and region, a meeting with cases, … looked up once."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from bench.dataset import YAMAGUCHI
        from regions.models import Prefecture, Region

        User = get_user_model()
        self.official = User.objects.get(username="bench-official")
        self.staff = User.objects.get(username="bench-staff-iwakuni")
        self.viewer = User.objects.get(username="bench-viewer-1")
        self.prefecture = Prefecture.objects.get(code=YAMAGUCHI)
        self.region = Region.objects.get(code="3501")
        self.fiscal_year = 2022
        self.clients = {}
        self.import_cache = {}
        from bench.records import meetings_available

        self.meetings = meetings_available()
        if self.meetings:
            from meetings.models import Meeting

            alive = Meeting.objects.filter(deleted_at__isnull=True)
            self.meeting_count = alive.count()
            with_cases = alive.filter(region=self.region, cases__isnull=False).order_by("-date", "-pk")
            self.meeting = with_cases.first() or alive.order_by("-date").first()

    def client(self, user):
        from django.test import Client

        from accounts.roles import is_prefecture

        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            if is_prefecture(user):
                otp_verify(client, user)
            self.clients[user.pk] = client
        return self.clients[user.pk]


def otp_verify(client, user) -> None:
    """Officials need a TOTP-verified session once the security branch is in (its test helper)."""
    try:
        from tests.otp import mark_otp_verified
    except ImportError:
        return
    mark_otp_verified(client, user)


# --- the pages ----------------------------------------------------------------------------------


def _needs_meetings(ctx):
    if not ctx.meetings:
        raise NotLanded("会議（meetings）が main にありません")


def page_healthz(ctx):
    return None, "get", url("healthz"), None


def page_home(ctx):
    return ctx.official, "get", url("home"), None


def page_meeting_list(ctx):
    _needs_meetings(ctx)
    return ctx.staff, "get", url("meetings:index"), None


def page_meeting_list_deep(ctx):
    from meetings.views import PAGE_SIZE

    _needs_meetings(ctx)
    last = max(1, math.ceil(ctx.meeting_count / PAGE_SIZE))
    return ctx.staff, "get", url("meetings:index", query=f"page={last}"), None


def page_meeting_list_filtered(ctx):
    _needs_meetings(ctx)
    return (
        ctx.staff,
        "get",
        url("meetings:index", query=f"fiscal_year={ctx.fiscal_year}&kind=case_review"),
        None,
    )


def page_meeting_list_region(ctx):
    _needs_meetings(ctx)
    query = f"region={ctx.region.pk}&fiscal_year={ctx.fiscal_year}"
    return ctx.staff, "get", url("meetings:index", query=query), None


def page_meeting_list_search(ctx):
    _needs_meetings(ctx)
    return ctx.staff, "get", url("meetings:index", query="q=グループホーム"), None


def page_meeting_detail(ctx):
    _needs_meetings(ctx)
    return ctx.staff, "get", url("meetings:detail", ctx.meeting.pk), None


def page_meeting_csv(ctx):
    _needs_meetings(ctx)
    return ctx.official, "get", url("meetings:export", "csv"), None


def page_training_list(ctx):
    return ctx.staff, "get", url("training:index"), None


def page_sheet_html(ctx):
    return ctx.viewer, "get", url("sheets:detail", ctx.fiscal_year), None


def page_sheet_pdf(ctx):
    return ctx.viewer, "get", url("sheets:pdf", ctx.fiscal_year), None


def page_region_pdf(ctx):
    return ctx.staff, "get", url("sheets:region_pdf", ctx.fiscal_year, ctx.region.code), None


def page_dashboard_prefecture(ctx):
    from bench import landing

    return ctx.viewer, "get", landing.dashboard_url(ctx, region=None), None


def page_dashboard_region(ctx):
    from bench import landing

    return ctx.viewer, "get", landing.dashboard_url(ctx, region=ctx.region), None


def page_import(ctx):
    from bench import landing

    return ctx.official, "flow", "/indicators/imports/", landing.import_flow(ctx, rows=10_000)


def undo_import(ctx):
    from bench import landing

    landing.import_undo(ctx, ctx.client(ctx.official))


def data_changed():
    """As just after someone saved a value and logged a meeting: the dashboard's cached parts (keyed on
    the data versions, dashboard.overview) no longer apply and are computed again."""
    from core import versions
    from indicators.versions import ACTIVITY_DATA, INDICATOR_DATA

    for name in (INDICATOR_DATA, ACTIVITY_DATA):
        versions.bump(name)


def empty_cache():
    from django.core.cache import cache

    cache.clear()


PAGES = [
    Page("healthz", "/healthz（基準）", page_healthz),
    Page(
        "dashboard_pref",
        "ダッシュボード（県）",
        page_dashboard_prefecture,
        target="中央値 ≤ 60 ms、クエリ数一定",
    ),
    Page(
        "dashboard_region",
        "ダッシュボード（圏域）",
        page_dashboard_region,
        target="中央値 ≤ 60 ms、クエリ数一定",
    ),
    Page(
        "dashboard_pref_changed",
        "ダッシュボード（県、データ更新の直後）",
        page_dashboard_prefecture,
        prepare=data_changed,
    ),
    Page(
        "dashboard_region_changed",
        "ダッシュボード（圏域、データ更新の直後）",
        page_dashboard_region,
        prepare=data_changed,
    ),
    Page("home", "ホーム（県職員）", page_home),
    Page("meeting_list", "会議一覧（1ページ目）", page_meeting_list, target="≤ 40 ms"),
    Page("meeting_list_deep", "会議一覧（最終ページ）", page_meeting_list_deep, target="≤ 40 ms"),
    Page(
        "meeting_list_filtered",
        "会議一覧（年度・種別で絞り込み）",
        page_meeting_list_filtered,
        target="≤ 40 ms",
    ),
    Page(
        "meeting_list_region", "会議一覧（圏域・年度で絞り込み）", page_meeting_list_region, target="≤ 40 ms"
    ),
    Page("meeting_list_search", "会議一覧（文字検索）", page_meeting_list_search, target="≤ 40 ms"),
    Page("meeting_detail", "会議の詳細", page_meeting_detail),
    Page("training_list", "研修一覧", page_training_list),
    Page("sheet_html", "共有シート（HTML）", page_sheet_html),
    Page(
        "sheet_pdf_cold",
        "共有シート PDF（初回）",
        page_sheet_pdf,
        repeat=5,
        memory=True,
        prepare=empty_cache,
        target="≤ 2 s",
    ),
    Page("sheet_pdf_warm", "共有シート PDF（変更なし）", page_sheet_pdf, memory=True, target="≤ 100 ms"),
    Page("region_pdf", "圏域シート PDF", page_region_pdf, repeat=5, memory=True, prepare=empty_cache),
    Page(
        "meeting_csv", "会議 CSV 出力（全件）", page_meeting_csv, repeat=3, memory=True, target="増加 ≤ 50 MB"
    ),
    Page(
        "import_xlsx",
        "Excel 取り込み（10,000 行：アップロード・確認画面・確定）",
        page_import,
        repeat=3,
        memory=True,
        after=undo_import,
        target="≤ 5 s",
    ),
]


# --- measuring ----------------------------------------------------------------------------------


def request(ctx, spec) -> tuple[int, int]:
    """One request; returns (HTTP status, body bytes) after reading the whole body."""
    user, method, path, data = spec
    if user is None:
        from django.test import Client

        client = ctx.clients.setdefault("anonymous", Client())
    else:
        client = ctx.client(user)
    if method == "flow":  # several requests as one user action (e.g. upload, preview, confirm)
        return data(client)
    response = client.post(path, data=data) if method == "post" else client.get(path)
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return response.status_code, size


def measure(ctx, page: Page, repeat: int) -> Result:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    result = Result(key=page.key, label=page.label, status="ok", target=page.target)
    try:
        spec = page.build(ctx)
    except NotLanded as exc:
        result.status, result.note = "not_landed", str(exc)
        return result
    result.url = spec[2]
    prepare = page.prepare or (lambda: None)
    after = page.after or (lambda ctx: None)
    prepare()
    try:
        status, size = request(ctx, spec)  # warm-up (and a check that the page works)
    except RuntimeError as exc:
        result.status, result.note = "error", str(exc)[:300]
        return result
    after(ctx)
    result.http_status, result.bytes = status, size
    if status >= 400:
        result.status, result.note = "error", f"HTTP {status}"
        return result
    runs = page.repeat or repeat
    samples, cpu = [], []
    for _ in range(runs):
        prepare()
        started, started_cpu = time.perf_counter(), time.process_time()
        request(ctx, spec)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        after(ctx)
    result.runs = runs
    result.samples_ms = [round(s, 2) for s in samples]
    result.median_ms = round(statistics.median(samples), 2)
    result.p95_ms = round(percentile(samples, 0.95), 2)
    result.cpu_ms = round(statistics.median(cpu), 2)
    prepare()
    with CaptureQueriesContext(connection) as captured:
        request(ctx, spec)
    result.queries = len(captured.captured_queries)
    reset_queries()
    after(ctx)
    if page.memory:
        prepare()
        tracemalloc.start()
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        request(ctx, spec)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        after(ctx)
        result.peak_mb = round((peak - baseline) / 1024 / 1024, 1)
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
        if children and "pdf" in page.key:
            result.child_rss_mb = round(children / 1024, 1)
    return result


def profile(key: str) -> None:
    """Where the time of one request goes (pyinstrument, from the bench extra), after a warm-up."""
    from pyinstrument import Profiler

    page = next((p for p in PAGES if p.key == key), None)
    if page is None:
        sys.exit(f"ページ「{key}」はありません: {', '.join(p.key for p in PAGES)}")
    ctx = Context()
    spec = page.build(ctx)
    after = page.after or (lambda ctx: None)
    (page.prepare or (lambda: None))()
    request(ctx, spec)
    after(ctx)  # e.g. undo the warm-up's import, or the profiled one would import nothing
    (page.prepare or (lambda: None))()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    request(ctx, spec)
    profiler.stop()
    after(ctx)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def cpu_reference_ms() -> float:
    """A fixed pure-Python computation, fastest of five: how fast this machine's CPU is today.

    Machines of the same kind differ (a later session measured the same code 2–4 times slower than
    an earlier one); /healthz ratios absorb that within a run, this number shows it between runs."""
    best = None
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return round(best * 1000, 1)


def machine() -> dict:
    import platform

    import django
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db_version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            db_version = f"SQLite {cursor.fetchone()[0]}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
        "database": db_version,
        "vendor": connection.vendor,
        "cpu_reference_ms": cpu_reference_ms(),
    }


def merged(previous: dict, partial: dict) -> dict:
    """`--only` re-measures some pages: their rows replace the earlier ones (each keeps the ratio to
    the /healthz of its own run and says when it was measured); the other rows stay as they were."""
    fresh = {
        r["key"]: {**r, "remeasured_at": partial["measured_at"]}
        for r in partial["results"]
        if r["key"] != "healthz"
    }
    results = [fresh.pop(r["key"], r) for r in previous["results"]]
    results += list(fresh.values())
    return {**previous, "counts": partial["counts"], "results": results}


def dataset_scale(counts: dict[str, int]) -> float:
    from bench.dataset import FULL

    # Two significant digits: the load test's writes add a few meetings to a generated database.
    meetings = counts.get("meetings.Meeting")
    if meetings:
        return float(f"{meetings / FULL['meetings']:.2g}")
    return float(f"{counts.get('training.TrainingSession', 0) / FULL['training']:.2g}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat", type=int, default=20, help="計測回数（既定 20、PDF・出力・取り込みは少なめ）"
    )
    parser.add_argument("--only", default="", help="計測するページのキー（カンマ区切り）")
    parser.add_argument("--no-write", action="store_true", help="結果ファイルと RESULTS.md を書き換えない")
    parser.add_argument(
        "--profile",
        metavar="KEY",
        help="このページを pyinstrument で 1 回計測して時間の内訳を表示（計測はしない）",
    )
    args = parser.parse_args(argv)
    if args.profile:
        import django

        django.setup()
        return profile(args.profile)

    import django

    django.setup()
    from bench import report
    from bench.generate import row_counts

    counts = row_counts()
    scale = dataset_scale(counts)
    info = machine()
    ctx = Context()
    only = {k.strip() for k in args.only.split(",") if k.strip()}
    pages = [p for p in PAGES if not only or p.key in only or p.key == "healthz"]
    print(f"計測: {info['database']}、データ規模 scale={scale}、{args.repeat} 回", file=sys.stderr)
    results = []
    for page in pages:
        result = measure(ctx, page, args.repeat)
        results.append(result)
        shown = f"{result.median_ms} ms" if result.median_ms is not None else result.note
        print(f"  {page.label}: {shown}", file=sys.stderr)
    healthz = next(r for r in results if r.key == "healthz")
    for result in results:
        if result.median_ms is not None and healthz.median_ms:
            result.ratio = round(result.median_ms / healthz.median_ms, 1)
    run = {
        "machine": info,
        "scale": scale,
        "counts": counts,
        "repeat": args.repeat,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "results": [asdict(r) for r in results],
    }
    print(report.table(run))
    if not args.no_write:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{info['vendor']}-{scale:g}.json"
        if only and path.exists():
            run = merged(json.loads(path.read_text(encoding="utf-8")), run)
        elif path.exists():  # a whole new run: the one it replaces is compared with it in RESULTS.md
            (RESULTS_DIR / "previous").mkdir(exist_ok=True)
            path.replace(RESULTS_DIR / "previous" / path.name)
        path.write_text(json.dumps(run, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        report.write()
        print(f"\n{path.relative_to(ROOT)} と bench/RESULTS.md を更新しました。", file=sys.stderr)
    return run


if __name__ == "__main__":
    main()
