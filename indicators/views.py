"""The indicator definitions, and the data entry and imports (the dashboard is `dashboard/`).

Everyone signed in reads; prefecture officials write (`accounts.roles.prefecture_required`), and a
health centre's staff enter their own regions' region-level values (`accounts.roles.can_enter_figures`).
A write into a 提出済 or 承認済 data set is refused with the lock's message (`indicators.datasets`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from core.changes import record_conflict_rows
from core.confirm import Confirmation, confirmation_page, is_confirmed
from core.exports import csv_response
from core.fiscal import wareki_date
from core.forms import StaleVersionError
from indicators import (
    datasets,
    downloads,
    forms,
    freshness,
    importing,
    services,
    small_counts,
    validation,
    values,
)
from indicators.areas import VENUE, VENUE_MUNICIPALITIES, AreaIndex, portal_prefecture
from indicators.models import (
    FlaggedValue,
    ImportBatch,
    ImportChange,
    Indicator,
    Observation,
    Plan,
    Target,
    ValidationRule,
)
from indicators.services import imports as import_services
from regions.validators import NATION_CODE

# --- definitions -----------------------------------------------------------------------------------


def indicator_list(request):
    """Every indicator definition with its latest prefecture value and its targets (three queries)."""
    prefecture = portal_prefecture()
    indicators = list(Indicator.objects.select_related("part_of", "denominator"))
    latest = {}
    for obs in Observation.objects.for_prefecture_area(prefecture).order_by(
        "indicator_id", "-period_end", "-pk"
    ):
        latest.setdefault(obs.indicator_id, obs)
    targets = {}
    for target in (
        Target.objects.filter(prefecture=prefecture)
        .select_related("plan", "region", "municipality")
        .order_by("fiscal_year", "plan__name")
    ):
        targets.setdefault(target.indicator_id, []).append(target)
    rows = []
    for indicator in indicators:
        obs = latest.get(indicator.pk)
        rows.append(
            {
                "indicator": indicator,
                "latest": obs,
                "latest_text": values.format_value(obs.value, indicator) if obs else "",
                "cycle": freshness.cycle_text(indicator),
                "targets": [
                    {"target": t, "text": values.format_value(t.value, indicator, as_entered=True)}
                    for t in targets.get(indicator.pk, [])
                ],
            }
        )
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "rows": rows,
            "plans": Plan.objects.all(),
            "is_prefecture": roles.is_prefecture(request.user),
            "small_count_rule": small_counts.rule_text(),
            "small_count_threshold": small_counts.threshold(),
            "today": timezone.localdate(),
        },
    )


def indicator_detail(request, code: str):
    """指標の説明: every chart's 「この指標について」 link lands here. One indicator: its definition, source,
    cycle and publication lag, how it is computed (算出方法) and what to keep in mind (注意点), its plans'
    targets and a link to the national comparison when national values exist; then its validation rules (what each means), every value (all areas)
    and every target, with edit links for those who may enter them. A count of people's small region
    and municipality values are hidden from viewers."""
    prefecture = portal_prefecture()
    indicator = get_object_or_404(Indicator.objects.select_related("part_of"), code=code)
    rules = list(ValidationRule.objects.filter(indicator=indicator).order_by("-is_active", "kind", "pk"))
    observations = list(
        Observation.objects.filter(indicator=indicator, prefecture=prefecture)
        .select_related("prefecture", "region", "municipality")
        .order_by("area_key", "-period_end")
    )
    pattern = small_counts.pattern_for(prefecture) if indicator.counts_people else None
    rows = []
    for o in observations:
        text = values.format_value(o.value, indicator)
        if indicator.value_type != Indicator.ValueType.YES_NO:
            text = f"{text}{indicator.unit}"
        rows.append(
            (
                o,
                pattern.cell(indicator, o.area_key, o.period_end, o.value, text) if pattern else text,
                roles.can_enter_figures(request.user, region=o.region_id, municipality=o.municipality_id),
            )
        )
    targets = (
        Target.objects.filter(indicator=indicator, prefecture=prefecture)
        .select_related("plan", "prefecture", "region", "municipality")
        .order_by("plan__first_fiscal_year", "area_key", "fiscal_year")
    )
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "cycle": freshness.cycle_text(indicator),
            "observations": rows,
            "any_hidden": any(isinstance(cell, small_counts.Hidden) for _, cell, _ in rows),
            "targets": [(t, values.format_value(t.value, indicator, as_entered=True)) for t in targets],
            "rules": [(r, validation.describe(r, indicator)) for r in rules],
            "builtin_rules": validation.builtin_descriptions(
                indicator,
                parts=list(indicator.parts.order_by("display_order", "code")),
                total=indicator.part_of,
            ),
            "is_prefecture": roles.is_prefecture(request.user),
            "small_count_rule": small_counts.rule_text(),
            "can_enter": roles.is_prefecture(request.user) or bool(roles.editable_region_ids(request.user)),
            "can_view_data_sets": roles.can_write(request.user),
            # 全国との比較 is linked when 全国 has a value for the indicator (national.comparison reads it).
            "has_national": Observation.objects.filter(
                indicator=indicator, area_key=f"pref:{NATION_CODE}"
            ).exists(),
        },
    )


@roles.prefecture_required
def indicator_create(request):
    form = forms.IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(by=request.user, **form.cleaned_data)
        except StaleVersionError:  # the same code saved by someone else at the same moment
            form.add_error("code", "このコードの指標は既にあります。")
            return render(request, "indicators/form.html", {"form": form, "title": "指標を追加する"})
        messages.success(request, f"指標「{indicator.name_ja}」を追加しました。続けて目標値を登録できます。")
        return redirect("indicators:indicator_detail", code=indicator.code)
    return render(request, "indicators/form.html", {"form": form, "title": "指標を追加する"})


@roles.prefecture_required
def indicator_edit(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    form = forms.IndicatorForm(request.POST or None, instance=indicator)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "version")}
        loaded = form.loaded_version or 0
        try:
            services.indicator_update(by=request.user, indicator=indicator, version=loaded, **data)
        except StaleVersionError as exc:
            draft = Indicator.objects.get(pk=exc.instance.pk)
            for name, value in data.items():
                setattr(draft, name, value)
            conflict = record_conflict_rows(stored=exc.instance, loaded_version=loaded, draft=draft)
            form = _reloaded(forms.IndicatorForm, exc, request.POST, instance=exc.instance)
        else:
            messages.success(request, f"指標「{data['name_ja']}」を保存しました。")
            return redirect("indicators:indicator_detail", code=indicator.code)
    return render(
        request,
        "indicators/form.html",
        {"form": form, "title": f"指標「{indicator.name_ja}」を編集する", "conflict_rows": conflict},
    )


def _reloaded(form_class, conflict: StaleVersionError, data, **kwargs):
    """The editor's input again, carrying the stored version: saving once more is a deliberate overwrite."""
    data = data.copy()
    data["version"] = str(conflict.instance.version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(
        None,
        "他の利用者が先にこの記録を保存したため、保存しませんでした。"
        "上の表で相手の変更とあなたの入力を確認し、必要なら直してからもう一度保存してください。",
    )
    return form


@roles.prefecture_required
def plan_create(request):
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, **form.cleaned_data)
        except StaleVersionError:  # the same name saved by someone else at the same moment
            form.add_error("name", "同じ名前の計画が既にあります。")
            return render(request, "indicators/form.html", {"form": form, "title": "計画を追加する"})
        messages.success(request, f"計画「{plan.name}」を追加しました。")
        return redirect("indicators:definitions")
    return render(request, "indicators/form.html", {"form": form, "title": "計画を追加する"})


# --- values and targets ----------------------------------------------------------------------------


def _area_kwargs(area) -> dict:
    return {"region": area.region, "municipality": area.municipality}


@roles.writer_required
def observation_create(request):
    prefecture = portal_prefecture()
    # Links prefill the form (`?indicator=…&area=3501&period=…`); a value no code can hold (NUL, which
    # PostgreSQL refuses in a query) prefills nothing rather than failing the page.
    initial = {
        k: request.GET[k][:100]
        for k in ("indicator", "area", "period")
        if "\x00" not in request.GET.get(k, "\x00")
    }
    if "indicator" in initial:
        indicator = Indicator.objects.filter(code=initial["indicator"]).first()
        initial["indicator"] = indicator.pk if indicator else None
    form = forms.ObservationForm(
        request.POST or None, prefecture=prefecture, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        return _save_observation(request, form, prefecture)
    return render(request, "indicators/form.html", {"form": form, "title": "値を登録する"})


@roles.writer_required
def observation_edit(request, pk: int):
    prefecture = portal_prefecture()
    observation = get_object_or_404(
        Observation.objects.select_related("indicator"), pk=pk, prefecture=prefecture
    )
    if not roles.can_enter_figures(
        request.user, region=observation.region_id, municipality=observation.municipality_id
    ):
        raise PermissionDenied(roles.FIGURES_DENIED_MESSAGE)
    form = forms.ObservationForm(
        request.POST or None, prefecture=prefecture, user=request.user, instance=observation
    )
    title = f"値を編集する（{observation.indicator.name_ja}・{observation.area_name}・{observation.period_label}）"
    if request.method == "POST" and form.is_valid():
        return _save_observation(request, form, prefecture, title=title)
    data_set = datasets.find(datasets.key_of_observation(observation))
    return render(
        request,
        "indicators/form.html",
        {
            "form": form,
            "title": title,
            "notice": datasets.locked_message(data_set) if data_set and data_set.is_locked else "",
        },
    )


def _conflict_page(
    request,
    exc: StaleVersionError,
    *,
    form_class,
    loaded: int,
    prefecture,
    title: str,
    form_kwargs: dict | None = None,
    **typed,
):
    """Someone saved the record since the page was loaded: what they changed against what this user
    typed (`typed`, as it would be stored), with the user's input kept in the form reloaded on the
    stored version, so saving again overwrites on purpose."""
    draft = type(exc.instance).objects.get(pk=exc.instance.pk)
    for name, value in typed.items():
        setattr(draft, name, value)
    conflict = record_conflict_rows(stored=exc.instance, loaded_version=loaded, draft=draft)
    form = _reloaded(
        form_class, exc, request.POST, prefecture=prefecture, instance=exc.instance, **(form_kwargs or {})
    )
    return render(request, "indicators/form.html", {"form": form, "title": title, "conflict_rows": conflict})


def _save_observation(request, form, prefecture, title="値を登録する"):
    data = form.cleaned_data
    area = data["area"]
    loaded = data.get("version") or 0
    try:
        observation = services.observation_record_checked(
            by=request.user,
            indicator=data["indicator"],
            prefecture=prefecture,
            period_text=data["period"],
            value=data["value"],
            provenance=data["provenance"],
            note=data["note"],
            version=loaded if form.instance is not None else None,
            **form.confirmation(),
            **_area_kwargs(area),
        )
    except validation.ValueRefused as exc:
        form.refuse(exc)
        return render(request, "indicators/form.html", {"form": form, "title": title})
    except validation.ConfirmationRequired as exc:
        form.ask_confirmation(exc)
        return render(request, "indicators/form.html", {"form": form, "title": title})
    except StaleVersionError as exc:
        return _conflict_page(
            request,
            exc,
            form_class=forms.ObservationForm,
            loaded=loaded,
            prefecture=prefecture,
            title=title,
            form_kwargs={"user": request.user},
            value=values.stored_value(data["value"]),
            provenance=data["provenance"],
            note=data["note"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, "indicators/form.html", {"form": form, "title": title})
    messages.success(
        request,
        f"{observation.indicator.name_ja}（{area.name}・{observation.period_label}）の値を保存しました。",
    )
    return redirect("indicators:indicator_detail", code=observation.indicator.code)


@roles.prefecture_required
def target_create(request):
    prefecture = portal_prefecture()
    initial = {}
    if "indicator" in request.GET:
        indicator = Indicator.objects.filter(code=request.GET["indicator"]).first()
        if indicator:
            initial = {
                "indicator": indicator.pk,
                "comparator": "lte" if indicator.direction == "lower" else "gte",
            }
    form = forms.TargetForm(request.POST or None, prefecture=prefecture, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save_target(request, form, prefecture)
    return render(request, "indicators/form.html", {"form": form, "title": "目標値を登録する"})


@roles.prefecture_required
def target_edit(request, pk: int):
    prefecture = portal_prefecture()
    target = get_object_or_404(
        Target.objects.select_related("indicator", "plan"), pk=pk, prefecture=prefecture
    )
    form = forms.TargetForm(request.POST or None, prefecture=prefecture, instance=target)
    if request.method == "POST" and form.is_valid():
        return _save_target(request, form, prefecture)
    return render(
        request,
        "indicators/form.html",
        {"form": form, "title": f"目標値を編集する（{target.indicator.name_ja}・{target.plan.name}）"},
    )


def _save_target(request, form, prefecture, title="目標値を登録する"):
    data = form.cleaned_data
    loaded = data.get("version") or 0
    try:
        target, created = services.target_record(
            by=request.user,
            indicator=data["indicator"],
            plan=data["plan"],
            prefecture=prefecture,
            fiscal_year=data["fiscal_year"],
            value=data["value"],
            comparator=data["comparator"],
            note=data["note"],
            source=data["source"],
            version=loaded if form.instance is not None else None,
            **_area_kwargs(data["area"]),
        )
    except StaleVersionError as exc:
        return _conflict_page(
            request,
            exc,
            form_class=forms.TargetForm,
            loaded=loaded,
            prefecture=prefecture,
            title=title,
            value=values.stored_value(data["value"]),
            comparator=data["comparator"],
            note=data["note"],
            source=data["source"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, "indicators/form.html", {"form": form, "title": title})
    messages.success(request, f"目標値を{'登録' if created else '更新'}しました（{target}）。")
    return redirect("indicators:indicator_detail", code=target.indicator.code)


# --- 協議の場 per municipality ----------------------------------------------------------------------


@roles.prefecture_required
def venue_status(request):
    """Record, per municipality, whether it has a 協議の場 (有 / 無 / 未把握) at one point in time."""
    prefecture = portal_prefecture()
    indicator = get_object_or_404(Indicator, code=VENUE)
    areas = AreaIndex(prefecture)
    period_text = request.POST.get("period") or request.GET.get("period") or _default_venue_period(prefecture)
    current = {}
    try:
        period = values.period_from_text(period_text)
    except ValueError:
        period = None
    if period is not None:
        current = {
            o.municipality_id: o.value > 0
            for o in Observation.objects.filter(
                indicator=indicator, prefecture=prefecture, municipality__isnull=False, period_key=period.key
            )
        }
    form = forms.VenueStatusForm(
        request.POST or None,
        municipalities=areas.municipalities,
        current=current,
        initial={"period": period_text, "provenance": "県調べ"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.venue_statuses_save(
                by=request.user,
                prefecture=prefecture,
                indicator=indicator,
                period_text=form.cleaned_data["period"],
                statuses=form.statuses(),
                provenance=form.cleaned_data["provenance"],
                **form.confirmation(),
            )
        except datasets.DataSetLocked as exc:  # nothing saved; the page again with what was chosen
            messages.error(request, exc.message)
            return _venue_page(request, form, prefecture, areas, status=409)
        except validation.ValueRefused as exc:
            form.refuse(exc, field=None)
        except validation.ConfirmationRequired as exc:
            form.ask_confirmation(exc)
        else:
            messages.success(
                request,
                f"市町村ごとの協議の場の有無を保存しました（新規 {counts['created']}、更新 {counts['updated']}、"
                f"未把握に戻した {counts['removed']}）。",
            )
            return redirect(f"{reverse('indicators:venue_status')}?period={form.cleaned_data['period']}")
    return _venue_page(request, form, prefecture, areas)


def _venue_page(request, form, prefecture, areas, status=200):
    aggregate = (
        Observation.objects.for_prefecture_area(prefecture)
        .filter(indicator__code=VENUE_MUNICIPALITIES)
        .order_by("-period_end")
        .first()
    )
    return render(
        request,
        "indicators/venue_status.html",
        {"form": form, "aggregate": aggregate, "municipality_total": len(areas.municipalities)},
        status=status,
    )


def _default_venue_period(prefecture) -> str:
    latest = (
        Observation.objects.for_prefecture_area(prefecture)
        .filter(indicator__code=VENUE_MUNICIPALITIES)
        .order_by("-period_end")
        .first()
    )
    return values.period_text_of(latest) if latest else f"{timezone.localdate().year}年4月"


# --- imports ---------------------------------------------------------------------------------------


def _batch(pk: int) -> ImportBatch:
    return get_object_or_404(ImportBatch.objects.for_list(), pk=pk, prefecture=portal_prefecture())


@roles.prefecture_required
def import_list(request):
    """Upload a file (checked before anything is kept) and the record of past imports."""
    prefecture = portal_prefecture()
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    errors, upload_error = [], ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(importing.MAX_UPLOAD_BYTES + 1)
        try:
            file_format, rows = importing.read_upload(upload.name, data)
            batch = import_services.import_batch_create(
                by=request.user,
                prefecture=prefecture,
                file_name=upload.name,
                file_format=file_format,
                rows=rows,
            )
        except importing.UploadError as exc:
            upload_error = str(exc)
        except import_services.ImportRejected as exc:
            errors = exc.errors
        else:
            return redirect("indicators:import_detail", pk=batch.pk)
    batches = ImportBatch.objects.for_prefecture(prefecture).for_list()[:50]
    return render(
        request,
        "indicators/import_list.html",
        {
            "form": form,
            "errors": errors,
            "upload_error": upload_error,
            "batches": batches,
            "indicators": Indicator.objects.filter(is_active=True),
            "areas": AreaIndex(prefecture).all(),
            "max_rows": importing.MAX_ROWS,
        },
    )


def _preview(request, batch: ImportBatch, *, confirm_form=None, status: int = 200):
    """A pending import's rows (new or update, the value replaced, what the soft rules say of each)
    with the confirmation form, or an applied one's record."""
    checked, errors, soft = [], [], []
    if batch.status == ImportBatch.Status.PENDING:
        checked, errors = importing.check_rows(
            importing.raw_rows_from_json(batch.rows),
            prefecture=batch.prefecture,
            reference=importing.is_wide(batch.file_format),
        )
        locked = datasets.locked_row_errors(checked, prefecture=batch.prefecture)
        if locked:  # a file with rows in a locked data set is refused as a whole: nothing to confirm
            checked, errors = [], sorted(errors + locked, key=lambda e: e.line)
        soft = importing.soft_messages(checked)
    if confirm_form is None:
        confirm_form = forms.ImportConfirmForm(digest=validation.findings_digest(soft))
    return render(
        request,
        "indicators/import_detail.html",
        {
            "batch": batch,
            "checked": checked,
            "errors": errors,
            "soft_count": len(soft),
            "confirm_form": confirm_form,
            "changes": batch.changes.select_related("indicator")
            if batch.status != ImportBatch.Status.PENDING
            else [],
            "flag_count": FlaggedValue.objects.filter(import_batch=batch).count()
            if batch.status != ImportBatch.Status.PENDING
            else 0,
        },
        status=status,
    )


@roles.prefecture_required
def import_detail(request, pk: int):
    """Preview of a pending import (every row, new or update with the value it replaces), or its record."""
    return _preview(request, _batch(pk))


@roles.prefecture_required
@require_POST
def import_confirm(request, pk: int):
    batch = _batch(pk)
    form = forms.ImportConfirmForm(request.POST)
    form.is_valid()
    try:
        batch = import_services.import_batch_apply(
            by=request.user,
            batch=batch,
            note=form.cleaned_data.get("note", ""),
            confirmed_digest=form.cleaned_data.get("confirmed_digest", ""),
        )
    except import_services.ImportRejected as exc:
        messages.error(request, "取り込めませんでした（何も保存していません）。")
        return render(
            request,
            "indicators/import_detail.html",
            {"batch": batch, "checked": [], "errors": exc.errors, "changes": []},
            status=409,
        )
    except import_services.ConfirmationNeeded as exc:
        form = forms.ImportConfirmForm(request.POST)
        form.data = form.data.copy()
        form.data["confirmed_digest"] = exc.digest
        form.is_valid()
        form.add_error(
            "note",
            "「要確認」の値があるため、確認のメモを入力してください。"
            if exc.note_missing
            else "確認画面を表示した後に内容が変わりました。もう一度確認して、取り込んでください。",
        )
        return _preview(request, batch, confirm_form=form)
    messages.success(
        request,
        f"{batch.row_count}行を取り込みました（新規 {batch.created_count}、更新 {batch.updated_count}）。",
    )
    return redirect("indicators:import_detail", pk=batch.pk)


@roles.prefecture_required
@require_POST
def import_discard(request, pk: int):
    import_services.import_batch_discard(by=request.user, batch=_batch(pk))
    messages.info(request, "取り込みを中止しました（何も保存していません）。")
    return redirect("indicators:imports")


def _undo_confirmation(batch: ImportBatch) -> Confirmation:
    restored = batch.changes.filter(action=ImportChange.Action.UPDATED).count()
    removed = batch.changes.filter(action=ImportChange.Action.CREATED).count()
    return Confirmation(
        title="この取り込みを取り消しますか",
        lead=(
            f"{wareki_date(timezone.localtime(batch.applied_at).date())}の取り込み「{batch.file_name}」"
            f"（{batch.row_count}行）を取り消します。"
        ),
        points=[
            f"更新した {restored} 件の値は、取り込み前の値に戻します。",
            f"新しく追加した {removed} 件の値は削除します。",
            "取り込み後に画面などで変更された値が1件でもあるときは、何も変えずに取り消しをやめます。",
            "取り消した後で同じ値が必要になったときは、ファイルをもう一度取り込んでください。",
        ],
        action_url=reverse("indicators:import_undo", args=[batch.pk]),
        submit_label="取り消す",
        back_url=reverse("indicators:import_detail", args=[batch.pk]),
    )


@roles.prefecture_required
@require_http_methods(["GET", "POST"])
def import_undo(request, pk: int):
    """GET: what undoing will change (how many values restored, how many deleted); POST (from that
    page only): undo."""
    batch = _batch(pk)
    if batch.status != ImportBatch.Status.APPLIED:
        messages.error(request, "取り込み済みの状態ではないため、取り消せません（何も変更していません）。")
        return redirect("indicators:import_detail", pk=batch.pk)
    if not is_confirmed(request):
        return confirmation_page(request, _undo_confirmation(batch), refused=request.method == "POST")
    try:
        import_services.import_batch_undo(by=request.user, batch=batch)
    except import_services.UndoRefused as exc:
        messages.error(request, "取り消せませんでした: " + " ".join(exc.problems))
    else:
        messages.success(
            request, "取り込みを取り消しました（更新した値は元に戻し、追加した値は削除しました）。"
        )
    return redirect("indicators:import_detail", pk=batch.pk)


@roles.prefecture_required
def import_template(request, fmt: str):
    """The file to fill in: CSV (header only) or Excel (header, plus code lists on other sheets)."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404("その形式には対応していません")
    if fmt == "csv":
        return csv_response("指標データ取り込みひな形.csv", importing.TEMPLATE_HEADER, [])
    prefecture = portal_prefecture()
    return downloads.xlsx_template(
        indicators=Indicator.objects.filter(is_active=True), areas=AreaIndex(prefecture).all()
    )
