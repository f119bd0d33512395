"""bench/RESULTS.md from the results files (bench/results/*.json) and the record of fixes (bench/CHANGES.md).

python bench/report.py     # rebuild RESULTS.md (run.py and load.sh call this themselves)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
VENDORS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}

# Targets of issue 8, checked against the full-scale (scale 1) runs.
TARGETS = {
    "dashboard_pref": ("median", 60),
    "dashboard_region": ("median", 60),
    "meeting_list": ("median", 40),
    "meeting_list_deep": ("median", 40),
    "meeting_list_filtered": ("median", 40),
    "meeting_list_region": ("median", 40),
    "meeting_list_search": ("median", 40),
    "sheet_pdf_cold": ("median", 2000),
    "sheet_pdf_warm": ("median", 100),
    "meeting_csv": ("peak_mb", 50),
    "import_xlsx": ("median", 5000),
}
QUERY_CONSTANT = ("dashboard_pref", "dashboard_region")


def _fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def verdict(result: dict, smaller: dict | None) -> str:
    rule = TARGETS.get(result["key"])
    if result["status"] != "ok" or rule is None:
        return ""
    metric, limit = rule
    value = result["median_ms"] if metric == "median" else result["peak_mb"]
    ok = value is not None and value <= limit
    notes = []
    if result["key"] in QUERY_CONSTANT and smaller and smaller.get("queries") is not None:
        same = smaller["queries"] == result["queries"]
        ok = ok and same
        notes.append("クエリ数一定" if same else f"クエリ数が {smaller['queries']} → {result['queries']}")
    mark = "✅" if ok else "❌"
    return " ".join([mark, *notes])


def table(run: dict, smaller_run: dict | None = None) -> str:
    """The Markdown table of one run; `smaller_run` (the same database at scale 0.1) adds its query counts."""
    smaller = {r["key"]: r for r in (smaller_run or {}).get("results", [])}
    header = [
        "ページ",
        "中央値 (ms)",
        "p95 (ms)",
        "healthz 比",
        "うち Python CPU (ms)",
        "SQL 数",
        "SQL 数（1/10 データ）" if smaller_run else None,
        "メモリ増 (MB)",
        "目標",
        "判定" if run["scale"] >= 1 else None,
    ]
    header = [h for h in header if h is not None]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for r in run["results"]:
        if r["status"] == "not_landed":
            cells = [r["label"], "未実装（main にまだありません）", "", "", "", ""]
            if smaller_run:
                cells.append("")
            cells += ["", r.get("target", "")]
            if run["scale"] >= 1:
                cells.append("")
            lines.append("| " + " | ".join(cells) + " |")
            continue
        if r["status"] == "error":
            lines.append(f"| {r['label']} | エラー: {r['note']} |" + " |" * (len(header) - 2))
            continue
        cells = [
            r["label"] + ("（再計測）" if r.get("remeasured_at") else ""),
            _fmt(r["median_ms"]),
            _fmt(r["p95_ms"]),
            f"×{_fmt(r['ratio'])}" if r.get("ratio") is not None else "—",
            _fmt(r.get("cpu_ms")),
            _fmt(r["queries"]),
        ]
        if smaller_run:
            cells.append(_fmt(smaller.get(r["key"], {}).get("queries")))
        memory = _fmt(r["peak_mb"])
        if r.get("child_rss_mb"):
            memory += f"（生成プロセス最大 RSS {_fmt(r['child_rss_mb'])}）"
        cells += [memory, r.get("target", "")]
        if run["scale"] >= 1:
            cells.append(verdict(r, smaller.get(r["key"])))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_table(loads: list[dict]) -> str:
    lines = [
        "| データベース | 対象 | リクエスト数 | 毎秒 | 中央値 (ms) | p99 (ms) | エラー | 判定 |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for load in loads:
        for name, row in load["rows"].items():
            verdict_text = ""
            if name == "混合（サインイン済み）":
                verdict_text = "✅" if row["failures"] == 0 and row["p99_ms"] <= 500 else "❌"
            lines.append(
                f"| {VENDORS.get(load['vendor'], load['vendor'])} | {name} | {row['requests']:,} | "
                f"{row['rps']:.1f} | {row['p50_ms']:.0f} | {row['p99_ms']:.0f} | {row['failures']} | {verdict_text} |"
            )
    return "\n".join(lines)


def _runs() -> dict[tuple[str, float], dict]:
    runs = {}
    for path in sorted(RESULTS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "results" in data:
            runs[(data["machine"]["vendor"], data["scale"])] = data
    return runs


def _previous_runs() -> dict[tuple[str, float], dict]:
    """The run each results file replaced (run.py keeps it in results/previous/)."""
    runs = {}
    for path in sorted((RESULTS_DIR / "previous").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "results" in data:
            runs[(data["machine"]["vendor"], data["scale"])] = data
    return runs


def comparison_table(previous: dict, current: dict) -> str:
    """Each page in the previous and the current run: the time, and the time as a multiple of the
    same run's /healthz, which carries over between machines far better than milliseconds."""
    before = {r["key"]: r for r in previous["results"] if r["status"] == "ok"}
    lines = [
        "| ページ | 前回 中央値 (ms) | 前回 healthz 比 | 今回 中央値 (ms) | 今回 healthz 比 |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in current["results"]:
        old = before.get(r["key"])
        if r["status"] != "ok" or old is None:
            continue
        lines.append(
            f"| {r['label']} | {_fmt(old['median_ms'])} | ×{_fmt(old.get('ratio'))} | "
            f"{_fmt(r['median_ms'])} | ×{_fmt(r.get('ratio'))} |"
        )
    return "\n".join(lines)


def _loads() -> list[dict]:
    loads = []
    for path in sorted(RESULTS_DIR.glob("load-*.json")):
        loads.append(json.loads(path.read_text(encoding="utf-8")))
    return loads


def render() -> str:
    runs = _runs()
    out = [
        "# ベンチマーク結果",
        "",
        "`bench/run.py` と `bench/load.sh` が書き出した結果（`bench/results/*.json`）から "
        "`bench/report.py` が作るページです。手で編集しないでください（改善の記録は `bench/CHANGES.md`）。",
        "作り方と読み方は README の「性能」にあります。時間は同じ実行の中で計った `/healthz` の何倍かも示すので、",
        "マシンの混み具合が違っても比べられます。",
        "",
    ]
    machines = {}
    for (vendor, _scale), run in sorted(runs.items()):
        machines.setdefault(vendor, run["machine"])
    if machines:
        any_machine = next(iter(machines.values()))
        out += [
            "## 計測環境",
            "",
            f"- CPU: {any_machine['cpu']}（{any_machine['cores']} コア）、メモリ {any_machine['ram_gb']} GB",
            f"- Python {any_machine['python']}、Django {any_machine['django']}、{any_machine['os']}",
            "- データベース: " + "、".join(m["database"] for m in machines.values()),
            *(
                [
                    "- CPU の速さ（純 Python の決まった計算 1 回、5 回の最小。同じ種類のマシンでも日によって"
                    "違うので、別の実行と比べるときの物差しです）: "
                    + "、".join(
                        f"{VENDORS.get(vendor, vendor)} の計測時 {m['cpu_reference_ms']} ms"
                        for vendor, m in machines.items()
                        if m.get("cpu_reference_ms")
                    )
                ]
                if any(m.get("cpu_reference_ms") for m in machines.values())
                else []
            ),
            "- 計測方法: プロセス内で `django.test.Client`（DEBUG=0、サインイン済み）。"
            "中央値と p95 は各ページ 20 回（PDF 初回・出力・取り込みは 3〜5 回）、1 回目の空打ちのあと。",
            "",
        ]
    full = {vendor: run for (vendor, scale), run in runs.items() if scale >= 1}
    tenth = {vendor: run for (vendor, scale), run in runs.items() if scale < 1}
    if runs:
        out += ["## データ規模", ""]
        columns = sorted(runs.items(), key=lambda item: (-item[0][1], item[0][0]))
        labels = [f"{VENDORS.get(v, v)} scale {s:g}" for (v, s), _ in columns]
        out.append("| テーブル | " + " | ".join(labels) + " |")
        out.append("|---|" + "---:|" * len(labels))
        tables = []
        for _, run in columns:
            for name in run["counts"]:
                if name not in tables:
                    tables.append(name)
        for name in tables:
            values = [_fmt(run["counts"].get(name)) for _, run in columns]
            out.append(f"| `{name}` | " + " | ".join(values) + " |")
        out.append("")
    for vendor in ("postgresql", "sqlite"):
        run = full.get(vendor) or tenth.get(vendor)
        if run is None:
            continue
        out += [
            f"## {VENDORS[vendor]}（scale {run['scale']:g}、{run['measured_at']}）",
            "",
            table(run, tenth.get(vendor) if run is full.get(vendor) else None),
            "",
        ]
        again = sorted({r["remeasured_at"] for r in run["results"] if r.get("remeasured_at")})
        if again:
            out += [
                "「（再計測）」の行は、改善のあと "
                + "、".join(again)
                + " に `run.py --only` で計り直した値です"
                "（healthz 比はその実行の /healthz との比）。",
                "",
            ]
    previous = _previous_runs()
    for vendor in ("postgresql", "sqlite"):
        run, old = full.get(vendor), previous.get((vendor, 1.0))
        if run is None or old is None:
            continue

        def cpu(machine):
            ms = machine.get("cpu_reference_ms")
            return f"CPU の速さ {ms} ms" if ms else "CPU の速さは未計測"

        out += [
            f"## {VENDORS[vendor]}：前回の計測との比較（scale 1）",
            "",
            f"前回 {old['measured_at']}（{cpu(old['machine'])}）、今回 {run['measured_at']}"
            f"（{cpu(run['machine'])}）。同じ種類のマシンでも速さが違うため、時間そのものより healthz 比で比べます。",
            "",
            comparison_table(old, run),
            "",
        ]
    missing = sorted(
        {r["label"] for run in runs.values() for r in run["results"] if r["status"] == "not_landed"}
    )
    if missing:
        out += ["## まだ計測できないページ", ""]
        out += [
            f"- {label}: その機能がまだ main に入っていません（計測値は載せていません）。"
            for label in missing
        ]
        out.append("")
    loads = _loads()
    out += ["## 負荷試験（bench/load.sh）", ""]
    if loads:
        load = loads[0]
        out += [
            f"gunicorn（sync ワーカー {load['workers']}）に、同じマシンの locust から {load['users']} クライアントが "
            f"{load['seconds']} 秒間、サインイン済みの混合負荷（ダッシュボード・一覧・詳細、県職員と保健所職員は "
            f"10 回に 1 回が会議の登録、閲覧者はその分も読み取り）を {load['think_time_s']} 秒おきに送り、"
            "同じ実行の中で `/healthz` だけを毎秒 2 回送るクライアントを 1 つ並べています。"
            "全クライアントが動き出してからの定常状態を数えています。",
            "",
            load_table(loads),
            "",
        ]
    else:
        out += ["まだ実行していません。", ""]
    changes = HERE / "CHANGES.md"
    if changes.exists():
        out += [changes.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(out)


def write() -> Path:
    path = HERE / "RESULTS.md"
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    print(write())
