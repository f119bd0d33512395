import logging
from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import is_prefecture, prefecture_required
from core.changes import record_conflict_rows
from core.confirm import Confirmation, confirmation_page, is_confirmed
from core.forms import StaleVersionError
from core.pdf import PdfRenderError, pdf_error_response, pdf_response
from indicators.datasets import DataSetLocked
from indicators.models import Indicator
from indicators.values import period_text_of
from regions.models import Region
from sheets import forms, reading, services
from sheets import pdf as sheet_pdf_module
from sheets.charts import sheet_charts
from sheets.models import Challenge, ChallengeRole, Edition, PublishedEdition
from sheets.publication import (
    PublicationConflict,
    UnapprovedNotConfirmed,
    check_unapproved,
    edition_publish,
    unapproved_digest,
)
from sheets.regional import region_sheet_for

logger = logging.getLogger(__name__)


def _edition(fiscal_year: int) -> Edition:
    """The portal's own prefecture's edition of `fiscal_year` (404 for a year it has none of)."""
    edition = Edition.objects.portal().select_related("prefecture").filter(fiscal_year=fiscal_year).first()
    if edition is None:
        raise Http404("この年度のシートはありません")
    return edition


def sheet_list(request):
    editions = (
        Edition.objects.portal()
        .for_list()
        .prefetch_related(Prefetch("publications", queryset=PublishedEdition.objects.newest_first()))
    )
    rows = [(edition, reading.publication_state(edition.publications.all())) for edition in editions]
    return render(
        request,
        "sheets/sheet_list.html",
        {"rows": rows, "can_edit": is_prefecture(request.user)},
    )


def _detail_context(request, edition, *, publish_data=None, publish_note: str = "", **extra):
    """The sheet page. The publish form is bound to `publish_data` (a POST refused for its note), or
    fresh with `publish_note` kept; either way it asks to confirm the figures unapproved now."""
    publications = list(edition.publications.newest_first().select_related("published_by"))
    sheet = reading.sheet_context(edition)
    publish_form = forms.PublishForm(
        publish_data,
        initial={"note": publish_note},
        revision=bool(publications),
        unapproved=sheet.unapproved_groups,
    )
    if publish_data is not None:
        publish_form.is_valid()
    return {
        "edition": edition,
        "sheet": sheet,
        "charts": sheet_charts(prefecture=edition.prefecture, reference_date=edition.reference_date),
        "publications": publications,
        "state": reading.publication_state(publications),
        "can_edit": is_prefecture(request.user),
        "copy_form": forms.CopyForm(initial={"fiscal_year": edition.fiscal_year + 1}),
        "publish_form": publish_form,
        "regions": Region.objects.filter(prefecture=edition.prefecture).order_by("display_order", "code"),
        **extra,
    }


def sheet_detail(request, fiscal_year: int):
    edition = _edition(fiscal_year)
    return render(request, "sheets/sheet_detail.html", _detail_context(request, edition))


@prefecture_required
@require_POST
def sheet_copy(request, fiscal_year: int):
    source = _edition(fiscal_year)
    form = forms.CopyForm(request.POST)
    if form.is_valid():
        try:
            edition = services.edition_copy_to_year(
                by=request.user, source=source, fiscal_year=form.cleaned_data["fiscal_year"]
            )
        except services.EditionCopyError as exc:
            form.add_error("fiscal_year", str(exc))
        else:
            messages.success(request, f"{edition}を作成しました。内容を確認して編集してください。")
            return redirect("sheets:detail", fiscal_year=edition.fiscal_year)
    return render(
        request, "sheets/sheet_detail.html", _detail_context(request, source, copy_form=form), status=400
    )


PART_TITLES = {
    services.PART_HEADER: "表題と概要",
    "part1": "１ 県又は政令市の基礎情報",
    services.PART_INITIATIVES: "２ 取組概要",
    services.PART_HISTORY: "３ 取組の経緯",
    services.PART_OUTCOMES: "４ 成果・効果",
    services.PART_STRENGTHS: "５ 強みと課題",
    services.PART_SCHEDULE: "６ 今年度の取組スケジュール",
}


CONFLICT_MESSAGE = (
    "他の利用者が先にこの部分を保存したため、保存しませんでした。"
    "上の表で相手の変更とあなたの入力を確認し、必要なら直してからもう一度保存してください。"
)


def _render_edit(
    request, edition, part, formsets, status=200, conflict_rows=None, questioned=None, confirm_form=None
):
    if conflict_rows is not None:
        messages.error(request, CONFLICT_MESSAGE)
    return render(
        request,
        "sheets/sheet_edit.html",
        {
            "edition": edition,
            "part": part,
            "part_title": PART_TITLES[part],
            "formsets": formsets,
            "conflict_rows": conflict_rows,
            # part 1: what the validation rules question (sheets.services.FactsQuestioned)
            "questioned": questioned
            if questioned is not None and questioned.soft and not questioned.hard
            else None,
            "confirm_form": confirm_form
            or (
                forms.FactsConfirmForm(
                    initial={"confirmation_note": request.POST.get("confirmation_note", "")[:2000]},
                    digest=questioned.digest,
                )
                if questioned is not None
                else None
            ),
        },
        status=status,
    )


def _saved(request, edition, count):
    if count:
        messages.success(request, f"{count} 件の変更を保存しました。")
    else:
        messages.info(request, "変更はありませんでした。")
    return redirect("sheets:detail", fiscal_year=edition.fiscal_year)


@prefecture_required
def edit_header(request, fiscal_year: int):
    edition = _edition(fiscal_year)
    # The form gets its own copy: validating a ModelForm writes into its instance.
    form = forms.HeaderForm(request.POST or None, instance=Edition.objects.get(pk=edition.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        loaded = form.loaded_version or 0
        try:
            changed = services.edition_header_update(
                by=request.user,
                edition=edition,
                title=data["title"],
                subtitle=data["subtitle"],
                overview=data["overview"],
                show_national=data["show_national"],
                version=loaded,
            )
        except StaleVersionError as exc:
            draft = Edition.objects.get(pk=edition.pk)
            draft.title, draft.subtitle, draft.overview = data["title"], data["subtitle"], data["overview"]
            draft.show_national = data["show_national"]
            rows = record_conflict_rows(stored=exc.instance, loaded_version=loaded, draft=draft)
            posted = request.POST.copy()
            posted["version"] = str(exc.instance.version)
            form = forms.HeaderForm(posted, instance=Edition.objects.get(pk=edition.pk))
            form.is_valid()
            return _render_edit(request, edition, services.PART_HEADER, [("", form)], 200, rows)
        return _saved(request, edition, int(changed))
    status = 400 if request.method == "POST" else 200
    return _render_edit(request, edition, services.PART_HEADER, [("", form)], status)


@prefecture_required
def edit_facts(request, fiscal_year: int):
    edition = _edition(fiscal_year)
    sheet = reading.sheet_context(edition)
    initial = [
        {
            "code": code,
            "period": period_text_of(fact.observation) if fact.observation else "",
            "value": fact.value,
            "provenance": fact.observation.provenance if fact.observation else "",
        }
        for code, fact in sheet.facts.items()
    ]
    formset = forms.FactFormSet(request.POST or None, initial=initial, prefix="facts")
    for form, (_code, fact) in zip(formset.forms, sheet.facts.items(), strict=False):
        form.fact = fact
    # The confirmation note goes through its form: a note over the limit is refused with the limit, not cut.
    confirm = forms.FactsConfirmForm(request.POST or None)
    confirmed = request.method != "POST" or confirm.is_valid()
    if request.method == "POST" and formset.is_valid() and confirmed:
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(sheet.facts))}
        rows = [
            (
                index,
                indicators[form.cleaned_data["code"]],
                {**form.cleaned_data, "value": Decimal(form.cleaned_data["value"])},
            )
            for index, form in enumerate(formset.forms)
            if form.has_changed() and form.cleaned_data.get("code") in indicators
        ]
        try:
            count = services.part1_facts_save(
                by=request.user,
                prefecture=edition.prefecture,
                rows=rows,
                confirmation_note=confirm.cleaned_data["confirmation_note"],
                confirmed_digest=confirm.cleaned_data["confirmed_digest"],
            )
        except DataSetLocked as exc:  # a fact of a submitted or approved data set: nothing saved
            messages.error(request, exc.message)
            return _render_edit(request, edition, "part1", [("", formset)], status=409)
        except services.FactsQuestioned as exc:  # nothing saved: the rules' findings on the page
            for index, found in exc.hard.items():
                for message in found:
                    formset.forms[index].add_error("value", message)
            return _render_edit(request, edition, "part1", [("", formset)], status=400, questioned=exc)
        return _saved(request, edition, count)
    status = 400 if request.method == "POST" else 200
    refused_note = None if confirmed else confirm  # its error in the page's error summary
    return _render_edit(request, edition, "part1", [("", formset)], status, confirm_form=refused_note)


def _edit_formsets(request, edition, part, specs):
    """specs: [(title, FormSetClass, queryset, prefix, form_kwargs)] for one part's page."""

    def build(data):
        return [
            (title, cls(data, queryset=queryset, prefix=prefix, form_kwargs=form_kwargs or {}))
            for title, cls, queryset, prefix, form_kwargs in specs
        ]

    formsets = build(request.POST or None)
    if request.method == "POST":
        if all(fs.is_valid() for _, fs in formsets):
            try:
                with transaction.atomic():  # the part's formsets are saved together or not at all
                    count = sum(
                        services.edition_part_save(by=request.user, edition=edition, part=part, formset=fs)
                        for _, fs in formsets
                    )
            except services.PartConflict as conflict:
                rows = services.part_conflict_rows(conflict)
                # The editor's input stays, its stale rows now at the stored versions: saving again
                # is a deliberate overwrite.
                posted = request.POST.copy()
                for form, stored in conflict.stale:
                    posted[f"{form.prefix}-version"] = str(stored.version)
                formsets = build(posted)
                for _, fs in formsets:
                    fs.is_valid()
                return _render_edit(request, edition, part, formsets, 200, rows)
            return _saved(request, edition, count)
        return _render_edit(request, edition, part, formsets, status=400)
    return _render_edit(request, edition, part, formsets)


@prefecture_required
def edit_part(request, fiscal_year: int, part: str):
    edition = _edition(fiscal_year)
    if part == services.PART_INITIATIVES:
        specs = [
            (
                "",
                forms.InitiativeFormSet,
                edition.initiatives.order_by("section", "order", "pk"),
                "items",
                None,
            )
        ]
    elif part == services.PART_HISTORY:
        specs = [("", forms.HistoryFormSet, edition.history_entries.all(), "history", None)]
    elif part == services.PART_OUTCOMES:
        kwargs = {
            "observations": forms.observation_choices(edition.prefecture),
            "targets": forms.target_choices(edition.prefecture),
        }
        specs = [("", forms.OutcomeFormSet, edition.outcomes.all(), "outcomes", kwargs)]
    elif part == services.PART_STRENGTHS:
        challenges = Challenge.objects.filter(edition=edition)
        specs = [
            ("特徴（強み）", forms.StrengthFormSet, edition.strengths.all(), "strengths", None),
            ("課題と取組方針", forms.ChallengeFormSet, challenges, "challenges", None),
            (
                "課題・方針に対する役割（取組）",
                forms.ChallengeRoleFormSet,
                ChallengeRole.objects.filter(challenge__edition=edition).order_by("challenge__order", "pk"),
                "roles",
                {"challenges": challenges},
            ),
        ]
    elif part == services.PART_SCHEDULE:
        specs = [("", forms.ScheduleFormSet, edition.schedule.all(), "schedule", None)]
    else:
        raise Http404("その部分はありません")
    return _edit_formsets(request, edition, part, specs)


# --- PDF: the sheet, its published editions, region sheets -----------------------------------


def sheet_pdf(request, fiscal_year: int):
    """The sheet as PDF: the latest published edition's file if nothing changed since, else 「案」."""
    edition = _edition(fiscal_year)
    try:
        live = sheet_pdf_module.sheet_live_pdf(edition)
    except PdfRenderError as exc:
        return pdf_error_response(request, exc, back_url=reverse("sheets:detail", args=[fiscal_year]))
    return pdf_response(live.pdf, live.filename)


def published_pdf(request, fiscal_year: int, number: int):
    """One published edition, byte for byte as it was published."""
    edition = _edition(fiscal_year)
    publication = get_object_or_404(edition.publications, number=number)
    try:
        data = reading.published_edition_bytes(publication)
    except reading.PublishedFileError as exc:
        logger.error("%s", exc)
        error = PdfRenderError(f"{exc} 県 障害者支援課へご連絡ください。", status=500)
        return pdf_error_response(request, error, back_url=reverse("sheets:detail", args=[fiscal_year]))
    response = pdf_response(data, sheet_pdf_module.sheet_filename(edition, number=publication.number))
    response["ETag"] = f'"{publication.sha256}"'
    return response


def _publish_confirmation(edition, form, *, number: int, groups) -> Confirmation:
    note = form.cleaned_data["note"]
    unapproved_count = sum(len(group.figures) for group in groups)
    points = [
        f"公開した PDF はそのまま保存され、この後データを直しても第{number}版の中身は変わりません"
        "（同じファイルを1バイトも変えずに提供し続けます）。",
        "公開は取り消せません。直すときは次の版として公開し直し、前の版も残ります。",
        "公開版は、ポータルを利用できるすべての職員がダウンロードできます。",
    ]
    if unapproved_count:
        points.append(
            f"県の承認を受けていない数値 {unapproved_count} 件を含めて公開します。"
            "PDF では値の横に「※未承認」の印が付き、この版の記録にも残ります。"
        )
    else:
        points.append("この版に載る数値はすべて承認済みです。")
    points.append(f"公開にあたってのメモ: {note}" if note else "公開にあたってのメモ: なし")
    return Confirmation(
        title=f"第{number}版として公開しますか",
        lead=f"{sheet_pdf_module.sheet_title(edition)}を第{number}版として公開します。",
        points=points,
        action_url=reverse("sheets:publish", args=[edition.fiscal_year]),
        submit_label="公開する",
        back_url=reverse("sheets:detail", args=[edition.fiscal_year]),
        danger=False,
        extra={
            "note": note,
            "confirm_unapproved": form.cleaned_data["confirm_unapproved"],
            # the list this page counts: should it change before the POST, the service refuses
            "unapproved_digest": unapproved_digest(groups) if groups else "",
        },
    )


@prefecture_required
@require_http_methods(["GET", "POST"])
def sheet_publish(request, fiscal_year: int):
    """The detail page's publish form (note, the unapproved figures' checkbox) leads here by GET: the
    note and the unapproved figures are checked first (refused → the sheet page says why), then a
    confirmation page says which edition number is published and that it is kept as it is. Only the
    POST from that page (carrying its confirmation field) publishes."""
    edition = _edition(fiscal_year)
    data = request.POST if request.method == "POST" else request.GET
    revision = edition.publications.exists()
    form = forms.PublishForm(data, revision=revision)
    if not form.is_valid():
        context = _detail_context(request, edition, publish_data=data)
        return render(request, "sheets/sheet_detail.html", context, status=400)
    note = form.cleaned_data["note"]
    if not is_confirmed(request):
        groups = reading.sheet_context(edition).unapproved_groups
        try:
            check_unapproved(
                groups,
                confirmed=form.cleaned_data["confirm_unapproved"],
                seen_digest=form.cleaned_data["unapproved_digest"] or None,
            )
        except UnapprovedNotConfirmed as refusal:
            context = _detail_context(request, edition, publish_note=note, publish_refusal=str(refusal))
            return render(request, "sheets/sheet_detail.html", context, status=400)
        confirmation = _publish_confirmation(
            edition,
            form,
            number=edition.publications.next_number(),
            groups=groups,
        )
        return confirmation_page(
            request, confirmation, template="sheets/publish_confirm.html", refused=request.method == "POST"
        )
    try:
        published = edition_publish(
            by=request.user,
            edition=edition,
            note=note,
            confirm_unapproved=form.cleaned_data["confirm_unapproved"],
            seen_digest=form.cleaned_data["unapproved_digest"] or None,
        )
    except UnapprovedNotConfirmed as refusal:
        # The page as it is now, with the current list of unapproved figures and the checkbox unticked.
        context = _detail_context(request, edition, publish_note=note, publish_refusal=str(refusal))
        return render(request, "sheets/sheet_detail.html", context, status=400)
    except PdfRenderError as exc:
        error = PdfRenderError(f"公開できませんでした（何も公開されていません）。{exc}", status=exc.status)
        return pdf_error_response(request, error, back_url=reverse("sheets:detail", args=[fiscal_year]))
    except PublicationConflict as conflict:
        # The page as it is now (with the other official's edition listed), the note kept in the
        # form, which now asks for a revision's note.
        messages.error(request, str(conflict))
        context = _detail_context(request, edition, publish_note=note)
        return render(request, "sheets/sheet_detail.html", context, status=409)
    messages.success(request, f"{published}を公開しました。この版の PDF は今後も公開時のまま提供されます。")
    return redirect("sheets:detail", fiscal_year=fiscal_year)


def region_pdf(request, fiscal_year: int, region_code: str):
    """One region's sheet for its 圏域連絡調整会議."""
    edition = _edition(fiscal_year)
    region = get_object_or_404(
        Region.objects.select_related("prefecture"), code=region_code, prefecture=edition.prefecture
    )
    region_sheet = region_sheet_for(region=region, fiscal_year=fiscal_year, user=request.user)
    try:
        rendered = sheet_pdf_module.region_sheet_pdf(region_sheet)
    except PdfRenderError as exc:
        return pdf_error_response(request, exc, back_url=reverse("sheets:detail", args=[fiscal_year]))
    return pdf_response(rendered.pdf, region_sheet.filename)
