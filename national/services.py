"""Writes of 全国との比較: the wide-table import (officials only, each under one transaction) and a
user's own peer prefectures (`peers_save`, at the end).

The flow ends in an ordinary `indicators.ImportBatch` (format "wide-csv" / "wide-xlsx"), so the import
list, the preview with its validation findings, the all-or-nothing confirmation, the undo and the audit
trail are the long import's:

1. `wide_import_create` reads the upload (`widetable.read_table`) and keeps the cells as a WideImport;
   when a saved layout has the same shape and every row matches an area, the batch is built at once
   (`wide_import_map` with the layout's mapping): the official only confirms.
2. `wide_import_map` turns the mapped columns into rows (one per area × mapped column), saves the
   mapping as the source's layout, and builds the batch. Refused (MappingIncomplete) while any row
   matches no area and is not deliberately skipped, or no column is mapped.
   - Every row's values update what is stored (a national table is the source of record for its cells).
   - Rows of the portal's own areas whose data set is 提出済/承認済 are SKIPPED and listed on the
     WideImport (`skipped`), never overwritten and never a reason to refuse the file.
   - Cells the source suppressed or left out (`widetable.gap_kind`) become `gaps` of the WideImport;
     they are recorded as SourceGap when the batch is applied (`gaps_record`, an `on_apply` hook) and
     removed by its undo (`gaps_remove`). A gap never deletes or hides an existing value: where a value
     is stored for the cell, the gap is not recorded (the preview lists it as 「既存の値を残す」).
     A later import's gap for the same cell takes the cell over (its undo removes it).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import roles
from core import history
from core.fiscal import normalise
from indicators import datasets
from indicators.areas import portal_prefecture
from indicators.importing import RawRow, RowError
from indicators.models import ImportBatch, Indicator, Observation
from indicators.services import imports as import_services
from indicators.values import period_from_text
from national import widetable
from national.models import ComparisonPeers, SourceGap, WideImport, WideTableLayout
from regions.models import Prefecture


class MappingIncomplete(Exception):
    """The mapping cannot become an import yet; `problems` says why (Japanese). Nothing was saved."""

    def __init__(self, problems: list[str]):
        super().__init__("対応付けが終わっていません。")
        self.problems = problems


@dataclass
class ColumnMap:
    index: int
    indicator: str  # code, "" = not imported
    period: str  # period text ("" only when indicator is "")


def _require_official(user) -> None:
    if not roles.is_prefecture(user):
        raise PermissionDenied("全国の表の取り込みは県職員のみ行えます。")


def detection_of(wide: WideImport) -> widetable.Detection:
    return widetable.detect(wide.table, widetable.AreaMatcher(portal_prefecture()))


def layout_for(detection: widetable.Detection) -> WideTableLayout | None:
    """The most recently saved layout of this shape."""
    return (
        WideTableLayout.objects.filter(signature=detection.signature).order_by("-updated_at", "-pk").first()
    )


def mapping_from_layout(layout: WideTableLayout | None, detection: widetable.Detection) -> list[ColumnMap]:
    """Each value column's indicator and period from the saved layout (by its year-free header),
    the period read from this file's header when the layout says so. Without a layout, a column whose
    header names an indicator exactly (after NFKC: 「入院後3か月時点の退院率」 is 入院後３か月時点の退院率)
    is suggested that indicator; the official sees and can change every choice before anything is kept."""
    saved = {c.get("header"): c for c in (layout.columns if layout else [])}
    names = {}
    if layout is None:
        names = {normalise(i.name_ja): i.code for i in Indicator.objects.filter(is_active=True)}
    result = []
    for column in detection.columns:
        rule = saved.get(column.shape) or {}
        indicator = rule.get("indicator", "")
        if layout is None:
            indicator = next((names[p] for p in map(normalise, column.label.split("／")) if p in names), "")
        period = column.period if rule.get("period", "header") == "header" else rule.get("period", "")
        result.append(ColumnMap(column.index, indicator, period if indicator else column.period))
    return result


@transaction.atomic
def wide_import_create(*, by, file_name: str, data: bytes, source: str = "") -> WideImport:
    """Read and keep an uploaded wide table (widetable.UploadError when it cannot be read as one);
    with a saved layout of the same shape and every row matched, also build its batch."""
    _require_official(by)
    file_format, cells, formulas = widetable.read_table(file_name, data)
    detection = widetable.detect(cells, widetable.AreaMatcher(portal_prefecture()))
    wide = WideImport.objects.create(
        file_name=file_name[:255],
        file_format=file_format,
        source=source.strip()[:100],
        table=cells,
        formulas=formulas,
        uploaded_by=by,
    )
    layout = layout_for(detection)
    if layout is not None:
        wide.layout = layout
        wide.source = wide.source or layout.name
        wide.save(update_fields=["layout", "source"])
        mapping = mapping_from_layout(layout, detection)
        if not detection.unmatched and any(m.indicator for m in mapping):
            # when it cannot (a value out of range…), the mapping page shows why and the official maps by hand
            with contextlib.suppress(MappingIncomplete, import_services.ImportRejected):
                wide_import_map(by=by, wide=wide, mapping=mapping, skip_lines=set(), layout_name=layout.name)
    return wide


def _fiscal_periods(mapping: list[ColumnMap], labels: dict[int, str]) -> list[str]:
    problems = []
    for item in mapping:
        if not item.indicator:
            continue
        try:
            period_from_text(item.period)
        except Exception:
            problems.append(
                f"列「{labels.get(item.index, item.index)}」の期間「{item.period}」が読めません。"
            )
    return problems


@transaction.atomic
def wide_import_map(
    *, by, wide: WideImport, mapping: list[ColumnMap], skip_lines: set[int], layout_name: str
) -> ImportBatch:
    """Build the batch of a mapped wide table (see the module's docstring); saves the layout."""
    _require_official(by)
    wide = WideImport.objects.select_for_update().get(pk=wide.pk)
    if wide.batch_id is not None:
        raise MappingIncomplete(["この表は既に取り込みの確認画面に進んでいます。"])
    detection = detection_of(wide)
    labels = {c.index: c.label for c in detection.columns}
    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
    problems = []
    unmatched = [row for row in detection.unmatched if row.line not in skip_lines]
    problems += [
        f"{row.line}行目「{row.area_text}」はどの地域にも当たりません。「この行を取り込まない」を選ぶか、ファイルを直してください。"
        for row in unmatched
    ]
    mapped = [m for m in mapping if m.indicator]
    if not mapped:
        problems.append("取り込む列がありません。少なくとも1列に指標を選んでください。")
    problems += [
        f"「{m.indicator}」という指標はありません。" for m in mapped if m.indicator not in indicators
    ]
    problems += _fiscal_periods(mapping, labels)
    formula_cells = {(r, c) for r, c in wide.formulas}
    if problems:
        raise MappingIncomplete(problems)

    portal = portal_prefecture()
    rows: list[RawRow] = []
    gaps: list[dict] = []
    formula_errors: list[RowError] = []
    for data_row in detection.rows:
        if data_row.area is None:
            continue  # skipped deliberately (checked above)
        cells = wide.table[data_row.index]
        for item in mapped:
            text = cells[item.index].strip() if item.index < len(cells) else ""
            if (data_row.index, item.index) in formula_cells:
                formula_errors.append(
                    RowError(
                        data_row.line, labels[item.index], "数式は取り込めません。値を入力してください。"
                    )
                )
                continue
            kind = widetable.gap_kind(text)
            if kind is not None:
                gaps.append(
                    {
                        "line": data_row.line,
                        "indicator": item.indicator,
                        "indicator_name": indicators[item.indicator].name_ja,
                        "area": data_row.area.code,
                        "area_name": data_row.area.name,
                        "period": item.period,
                        "kind": kind,
                        "mark": text[:20],
                    }
                )
                continue
            rows.append(
                RawRow(
                    line=data_row.line,
                    indicator=item.indicator,
                    area=data_row.area.code,
                    period=item.period,
                    value=text,
                    provenance=(wide.source or layout_name)[:200],
                    note=f"{wide.file_name[:100]}「{labels[item.index][:80]}」",
                    update="1",
                )
            )
    if formula_errors:
        raise import_services.ImportRejected(formula_errors)

    # The portal's own areas in a locked data set: left out and listed, never overwritten.
    matcher_index = widetable.AreaMatcher(portal).index
    skipped, kept_rows, kept_gaps = [], [], []
    keys = {}
    for entry in [*rows, *gaps]:
        code = entry.area if isinstance(entry, RawRow) else entry["area"]
        period = entry.period if isinstance(entry, RawRow) else entry["period"]
        area = matcher_index.get(code)
        if area is None or area.is_reference:
            continue
        keys[(code, period)] = datasets.key_for(
            prefecture=portal,
            fiscal_year=period_from_text(period).fiscal_year,
            region=area.region,
            municipality=area.municipality,
        )
    locked = datasets.locked_sets(set(keys.values()))
    for entry in rows:
        key = keys.get((entry.area, entry.period))
        if key in locked:
            skipped.append(
                {
                    "line": entry.line,
                    "area": matcher_index.get(entry.area).name,
                    "indicator": indicators[entry.indicator].name_ja,
                    "period": entry.period,
                    "value": entry.value,
                    "reason": datasets.locked_message(locked[key]),
                }
            )
        else:
            kept_rows.append(entry)
    for gap in gaps:
        if keys.get((gap["area"], gap["period"])) not in locked:
            kept_gaps.append(gap)
    if not kept_rows and not kept_gaps:
        raise MappingIncomplete(
            ["取り込める値がありません（すべての行が取り込まない行か、確定済みのデータです）。"]
        )

    layout = _layout_save(by=by, wide=wide, detection=detection, mapping=mapping, name=layout_name)
    batch = import_services.import_batch_create(
        by=by,
        prefecture=portal,
        file_name=wide.file_name,
        file_format=f"wide-{wide.file_format}",
        rows=kept_rows,
    )
    wide.batch, wide.layout = batch, layout
    wide.source = wide.source or layout.name
    wide.gaps, wide.skipped = kept_gaps, skipped
    wide.save(update_fields=["batch", "layout", "source", "gaps", "skipped"])
    return batch


def _layout_save(*, by, wide, detection, mapping, name: str) -> WideTableLayout:
    """The source's layout of this shape, created or brought up to date with this mapping."""
    name = (name or wide.source or wide.file_name).strip()[:100]
    periods = {c.index: c.period for c in detection.columns}
    columns = [
        {
            "header": column.shape,
            "indicator": item.indicator,
            # the year in the header, when it names one and the official kept it: next year's file
            # brings its own; otherwise the period the official typed
            "period": "header" if item.period and item.period == periods[item.index] else item.period,
        }
        for column, item in zip(detection.columns, mapping, strict=True)
    ]
    layout = WideTableLayout.objects.filter(signature=detection.signature, name=name).first()
    if layout is None:
        layout = WideTableLayout.objects.create(
            name=name,
            signature=detection.signature,
            header_rows=len(detection.header_rows),
            area_column=detection.area_column,
            columns=columns,
            created_by=by,
        )
        history.record_create(by=by, instance=layout)
        return layout
    before = history.snapshot(layout)
    layout.columns = columns
    layout.header_rows = len(detection.header_rows)
    layout.area_column = detection.area_column
    layout.save()
    history.record_update(by=by, instance=layout, before=before)
    return layout


@transaction.atomic
def layout_rename(*, by, layout: WideTableLayout, name: str) -> WideTableLayout:
    _require_official(by)
    before = history.snapshot(layout)
    layout.name = name.strip()[:100]
    layout.save(update_fields=["name", "updated_at"])
    history.record_update(by=by, instance=layout, before=before)
    return layout


@transaction.atomic
def layout_delete(*, by, layout: WideTableLayout) -> None:
    _require_official(by)
    from core.models import ChangeRecord

    history.record_change(
        by=by,
        instance=layout,
        action=ChangeRecord.Action.DELETE,
        changes=history.diff(history.snapshot(layout), {}, labels=history.field_labels(WideTableLayout)),
    )
    layout.delete()


# --- the batch's hooks (registered in NationalConfig.ready) ---------------------------------------


def _gap_cells(batch: ImportBatch) -> list:
    """(gap, area, indicator, period) of each cell the batch's wide import left without a value."""
    wide = WideImport.objects.filter(batch=batch).first()
    if wide is None or not wide.gaps:
        return []
    index = widetable.AreaMatcher(batch.prefecture).index
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={g["indicator"] for g in wide.gaps})}
    cells = []
    for gap in wide.gaps:
        area, indicator = index.get(gap["area"]), indicators.get(gap["indicator"])
        if area is None or indicator is None:
            continue
        cells.append((gap, area, indicator, period_from_text(gap["period"])))
    return cells


def _valued(cells) -> set:
    if not cells:
        return set()
    return set(
        Observation.objects.filter(
            indicator__in={indicator for _, _, indicator, _ in cells},
            area_key__in={a.key for _, a, _, _ in cells},
            period_key__in={p.key for _, _, _, p in cells},
        ).values_list("indicator_id", "area_key", "period_key")
    )


def _gap_store(batch: ImportBatch, gap: dict, area, indicator, period) -> None:
    SourceGap.objects.update_or_create(
        indicator=indicator,
        area_key=area.key,
        period_key=period.key,
        defaults={
            "prefecture": area.prefecture or batch.prefecture,
            "region": area.region,
            "municipality": area.municipality,
            "fiscal_year": period.fiscal_year,
            "period_end": period.period_end,
            "kind": gap["kind"],
            "mark": gap["mark"],
            "batch": batch,
        },
    )


def gaps_record(*, by, batch: ImportBatch) -> None:
    """On apply: the wide import's gaps as SourceGap rows of the batch, except where a value is stored.
    A cell another import already marked is taken over by this one (the newer table speaks for it)."""
    cells = _gap_cells(batch)
    valued = _valued(cells)
    for gap, area, indicator, period in cells:
        if (indicator.pk, area.key, period.key) in valued:
            continue  # a gap never hides or deletes a stored value
        _gap_store(batch, gap, area, indicator, period)


def gaps_remove(*, by, batch: ImportBatch) -> None:
    """On undo: the gaps the batch recorded go with it; a cell an earlier import (still applied) also
    marked gets that import's mark back, the newest first."""
    removed = {(g.indicator_id, g.area_key, g.period_key) for g in SourceGap.objects.filter(batch=batch)}
    SourceGap.objects.filter(batch=batch).delete()
    if not removed:
        return
    earlier = (
        ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED, file_format__startswith="wide-")
        .exclude(pk=batch.pk)
        .order_by("-applied_at", "-pk")
    )
    for other in earlier:
        cells = [c for c in _gap_cells(other) if (c[2].pk, c[1].key, c[3].key) in removed]
        valued = _valued(cells)
        for gap, area, indicator, period in cells:
            key = (indicator.pk, area.key, period.key)
            if key in valued:
                continue
            _gap_store(other, gap, area, indicator, period)
            removed.discard(key)
        if not removed:
            return


def gaps_kept_values(wide: WideImport) -> set[tuple[str, str, str]]:
    """(indicator code, area code, period) of the gaps where a stored value stays (for the preview)."""
    if not wide.gaps:
        return set()
    index = widetable.AreaMatcher(portal_prefecture()).index
    wanted = {}
    for gap in wide.gaps:
        area = index.get(gap["area"])
        if area is None:
            continue
        try:
            period = period_from_text(gap["period"])
        except Exception:
            continue
        wanted[(gap["indicator"], area.key, period.key)] = (gap["indicator"], gap["area"], gap["period"])
    stored = Observation.objects.filter(
        indicator__code__in={k[0] for k in wanted},
        area_key__in={k[1] for k in wanted},
        period_key__in={k[2] for k in wanted},
    ).values_list("indicator__code", "area_key", "period_key")
    return {wanted[key] for key in stored if key in wanted}


def peers_for(user) -> list:
    """The user's remembered peer prefectures in 団体コード order (one query; none saved: [])."""
    chosen = ComparisonPeers.prefectures.through.objects.filter(comparisonpeers__user=user)
    return list(Prefecture.objects.filter(pk__in=chosen.values("prefecture_id")).order_by("code"))


@transaction.atomic
def peers_save(*, by, prefectures) -> ComparisonPeers:
    """Remember `prefectures` as `by`'s peers (the form checks the limit of five; checked again here).

    No version and no change history: the row is a personal preference only its owner reads and edits,
    like a list filter remembered for the user, not a record others rely on."""
    prefectures = list(prefectures)
    if len(prefectures) > ComparisonPeers.MAX_PEERS:
        raise ValueError(f"比べる都道府県は{ComparisonPeers.MAX_PEERS}つまでです。")
    peers, _ = ComparisonPeers.objects.select_for_update().get_or_create(user=by)
    peers.prefectures.set(prefectures)
    peers.save(update_fields=["updated_at"])
    return peers
