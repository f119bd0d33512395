"""Meeting screens: list / export, detail, create / edit, delete / restore, history, cases."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import roles
from core import exports
from core.audit import audit_list_view, audit_view
from core.categories import OrganisationType
from core.changes import history_for
from core.confirm import Confirmation, confirmation_page, is_confirmed
from core.fiscal import fiscal_year_label, wareki_date
from core.forms import StaleVersionError
from core.listing import page_number, query_without_page
from indicators.small_counts import public, record_count_cell
from meetings import agenda, sanity, services
from meetings import agenda_export as agenda_rows
from meetings.filters import CaseFilter, MeetingFilter
from meetings.forms import FollowUpVersionForm, MeetingEditor, followup_forms
from meetings.models import CaseReview, Meeting
from regions.models import Region

PAGE_SIZE = 25
NO_PERIOD_OPEN = "退院後3か月がまだ来ていないため、追跡調査はまだ登録できません。"


def meeting_list(request):
    """Filtered list; pages are fetched as LIMIT 26 OFFSET n (no COUNT over every meeting).

    The page's ids are found first, in a subquery that walks an index only, and the summaries are
    computed for those rows alone: an OFFSET over the rows with their summaries computed the
    summaries of every skipped row too (seconds on a deep page of 200,000 meetings).
    """
    filters = MeetingFilter(
        request.GET or None, Meeting.objects.restrict(request.user, "view"), user=request.user
    )
    filtered = filters.qs.newest_first()
    page = page_number(request)
    offset = (page - 1) * PAGE_SIZE
    page_ids = filtered.values("pk")[offset : offset + PAGE_SIZE + 1]
    rows = list(
        Meeting.objects.filter(pk__in=page_ids).with_summary().with_participation_mix().newest_first()
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "filters": filters.form,
            "meetings": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "first_index": offset + 1,
            "last_index": offset + min(len(rows), PAGE_SIZE),
            "query": query_without_page(request),
            "can_create": roles.can_write(request.user),
        },
    )


EXPORT_HEADER = [
    "年度",
    "開催日",
    "開始",
    "終了",
    "種別",
    "会議名",
    "圏域",
    "主催",
    "場所",
    "状況",
    "参加者数（計）",
    *(f"参加者数（{label}）" for _, label in OrganisationType.choices),
    "議題",
    "決定事項",
    "未完了の対応事項",
    "事例数",
]


def _export_rows(queryset):
    for m in queryset.iterator(chunk_size=2000):
        yield [
            fiscal_year_label(m.fiscal_year),
            m.date,
            m.start_time.strftime("%H:%M") if m.start_time else "",
            m.end_time.strftime("%H:%M") if m.end_time else "",
            m.get_kind_display(),
            m.title,
            m.region_label,
            m.organiser_label,
            m.place,
            m.get_status_display(),
            m.participant_total,
            *(getattr(m, f"participants_{value}") for value in OrganisationType.values),
            "\n".join(f"{a.position}. {a.title}" for a in m.agenda_items.all()),
            m.decisions,
            m.open_action_count,
            public(record_count_cell(m.case_count, region_id=m.region_id)),
        ]


def meeting_export(request, fmt: str):
    """The filtered list as CSV (UTF-8 with BOM) or Excel; summaries only, never case details."""
    filters = MeetingFilter(
        request.GET or None, Meeting.objects.restrict(request.user, "view"), user=request.user
    )
    queryset = (
        filters.qs.with_summary().with_participant_counts().prefetch_related("agenda_items").newest_first()
    )
    return exports.export_response(
        fmt, exports.download_stem("会議一覧"), EXPORT_HEADER, _export_rows(queryset), sheet_title="会議一覧"
    )


def agenda_export(request, fmt: str):
    """The agenda items and action items of the filtered list, with their indicator (meetings.agenda_export)."""
    filters = MeetingFilter(
        request.GET or None, Meeting.objects.restrict(request.user, "view"), user=request.user
    )
    today = timezone.localdate()
    meetings = agenda_rows.with_items(filters.qs.newest_first())
    return exports.export_response(
        fmt,
        exports.download_stem("議題と対応事項", today=today),
        agenda_rows.HEADER,
        agenda_rows.rows(meetings, today=today),
        sheet_title="議題と対応事項",
    )


def _meeting_for(request, pk, action="view"):
    queryset = Meeting.objects.select_related(
        "region", "organiser_centre", "created_by", "deleted_by"
    ).with_participation_mix()
    if action != "view":  # a deleted meeting is not found for changing, even by officials: restore it first
        queryset = queryset.alive()
    return roles.get_for_user(queryset, request.user, action=action, pk=pk)


def meeting_detail(request, pk):
    meeting = _meeting_for(request, pk)
    show_cases = roles.can_view_case_details(request.user, meeting.region_id)
    today = timezone.localdate()
    actions = list(meeting.action_items.select_related("agenda_item"))
    agenda_items = list(
        meeting.agenda_items.select_related("indicator", "region").prefetch_related(
            "carried_actions__meeting"
        )
    )
    standings = agenda.item_standings(agenda_items, today=today)
    cases = list(meeting.cases.prefetch_related("followups")) if show_cases else None
    if cases:  # case details are on this page too: the access is recorded as for the case page
        audit_view(request, meeting, detail={"case_numbers": [c.case_number for c in cases]})
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "participations": meeting.participations.order_by("pk"),
            "participant_total": sum(p.count for p in meeting.participations.all()),
            "agenda_rows": [
                (item, standings.get(item.pk), [a for a in actions if a.agenda_item_id == item.pk])
                for item in agenda_items
            ],
            "agenda_hidden": any(s.hidden for s in standings.values()),
            "actions": [(a, a.is_overdue(today)) for a in actions],
            "show_cases": show_cases,
            "cases": cases,
            "case_count": record_count_cell(meeting.cases.count(), region_id=meeting.region_id),
            "can_edit": not meeting.is_deleted and roles.can_edit_region(request.user, meeting.region_id),
            "can_restore": meeting.is_deleted and roles.is_prefecture(request.user),
        },
    )


def _editor_page(request, editor, *, conflict_rows=None):
    if editor.rekind:
        editor.without_errors()
    meeting = editor.meeting
    if meeting is not None and meeting.pk and meeting.cases.exists():  # the form shows its cases
        audit_view(request, meeting, detail={"page": "編集"})
    return render(
        request,
        "meetings/meeting_form.html",
        {"editor": editor, "meeting": editor.meeting, "conflict_rows": conflict_rows},
    )


def _report_validation(editor, exc: ValidationError):
    for message in exc.messages:
        editor.form.add_error(None, message)


@roles.writer_required
def meeting_create(request):
    # A link may give the region, kind and status to start from (the proposals list's 「この圏域の会議を登録」).
    editor = MeetingEditor(user=request.user, data=request.POST or None, query=request.GET)
    if request.method == "POST" and editor.is_valid():
        try:
            meeting = services.meeting_create(by=request.user, **editor.service_kwargs())
        except ValidationError as exc:
            _report_validation(editor, exc)
        else:
            messages.success(request, f"会議「{meeting.title}」を登録しました。")
            return redirect("meetings:detail", pk=meeting.pk)
    return _editor_page(request, editor)


@roles.writer_required
def meeting_edit(request, pk):
    meeting = _meeting_for(request, pk, action="change")
    editor = MeetingEditor(user=request.user, meeting=meeting, data=request.POST or None)
    if request.method == "POST" and editor.is_valid():
        kwargs = editor.service_kwargs()
        loaded = editor.loaded_version or 0
        try:
            services.meeting_update(by=request.user, meeting_id=pk, expected_version=loaded, **kwargs)
        except services.EditConflict as conflict:
            current = conflict.meeting
            rows = services.conflict_rows(
                meeting=current,
                loaded_version=loaded,
                proposed=services.proposed_state(meeting=current, **kwargs),
            )
            data = request.POST.copy()
            data["version"] = str(current.version)
            editor = MeetingEditor(user=request.user, meeting=Meeting.objects.get(pk=pk), data=data)
            editor.is_valid()
            messages.error(
                request,
                "他の利用者が先にこの会議を保存したため、保存しませんでした。"
                "下の表で相手の変更とあなたの入力を確認し、必要なら直してからもう一度保存してください。",
            )
            return _editor_page(request, editor, conflict_rows=rows)
        except ValidationError as exc:
            _report_validation(editor, exc)
        else:
            messages.success(request, "会議を更新しました。")
            return redirect("meetings:detail", pk=pk)
    return _editor_page(request, editor)


def _meeting_delete_confirmation(meeting: Meeting) -> Confirmation:
    counts = Meeting.objects.filter(pk=meeting.pk).aggregate(
        agenda=Count("agenda_items", distinct=True),
        actions=Count("action_items", distinct=True),
        cases=Count("cases", distinct=True),
    )
    return Confirmation(
        title="この会議を削除しますか",
        lead=f"会議「{meeting.title}」（{wareki_date(meeting.date)}・{meeting.region_label}）を削除します。",
        points=[
            f"議題 {counts['agenda']} 件・対応事項 {counts['actions']} 件・事例 {counts['cases']} 件も、"
            "会議と一緒に一覧・集計・ダッシュボードから外れます。",
            "削除した会議は、保健所職員は元に戻せません。県職員だけが復元できます。",
            "削除した記録は消えずに残り、変更履歴に誰が削除したかが残ります。",
        ],
        action_url=reverse("meetings:delete", args=[meeting.pk]),
        submit_label="削除する",
        back_url=reverse("meetings:detail", args=[meeting.pk]),
    )


@require_http_methods(["GET", "POST"])
@roles.writer_required
def meeting_delete(request, pk):
    """GET: what deleting will do; POST (from that page only): delete."""
    meeting = _meeting_for(request, pk, action="delete")
    if not is_confirmed(request):
        return confirmation_page(
            request, _meeting_delete_confirmation(meeting), refused=request.method == "POST"
        )
    services.meeting_delete(by=request.user, meeting=meeting)
    messages.success(request, f"会議「{meeting.title}」を削除しました（県職員が復元できます）。")
    return redirect("meetings:index")


@require_http_methods(["GET", "POST"])
@roles.prefecture_required
def meeting_restore(request, pk):
    """GET: what restoring will do; POST (from that page only): restore."""
    meeting = roles.get_for_user(Meeting.objects.deleted(), request.user, action="delete", pk=pk)
    if not is_confirmed(request):
        confirmation = Confirmation(
            title="この会議を復元しますか",
            lead=f"削除した会議「{meeting.title}」（{wareki_date(meeting.date)}・{meeting.region_label}）を復元します。",
            points=[
                "会議は議題・対応事項・事例とともに、一覧・集計・ダッシュボードに戻ります。",
                "担当圏域の保健所職員も、再び閲覧・編集できるようになります。",
            ],
            action_url=reverse("meetings:restore", args=[meeting.pk]),
            submit_label="復元する",
            back_url=reverse("meetings:detail", args=[meeting.pk]),
            danger=False,
        )
        return confirmation_page(request, confirmation, refused=request.method == "POST")
    services.meeting_restore(by=request.user, meeting=meeting)
    messages.success(request, f"会議「{meeting.title}」を復元しました。")
    return redirect("meetings:detail", pk=pk)


def meeting_history(request, pk):
    meeting = _meeting_for(request, pk)
    show_cases = roles.can_view_case_details(request.user, meeting.region_id)
    if show_cases:  # the history shows the cases' summaries as they were: a read of case data
        audit_view(request, meeting, detail={"page": "変更履歴"})

    def hide(key: str) -> bool:
        return key == "version" or (not show_cases and key.startswith("case."))

    return render(
        request,
        "meetings/meeting_history.html",
        {"meeting": meeting, "entries": history_for(meeting, hide=hide), "show_cases": show_cases},
    )


# --- Cases --------------------------------------------------------------------------------------


def _require_case_reader(user):
    if not roles.can_write(user):
        raise PermissionDenied("事例の詳細は担当圏域の保健所職員と県職員のみ閲覧できます。")


def case_list(request):
    """Case reviews of the regions the user may see in detail, filterable by region and status."""
    _require_case_reader(request.user)
    cases = (
        CaseReview.objects.alive()
        .restrict(request.user, "view_case")
        .select_related("region", "meeting")
        .prefetch_related("followups")
    )
    region_ids = roles.editable_region_ids(request.user)
    regions = Region.objects.order_by("display_order", "code")
    if region_ids is not None:
        regions = regions.filter(pk__in=region_ids)
    filters = CaseFilter(request.GET or None, cases, regions=regions)
    shown = list(filters.qs.order_by("region__display_order", "-fiscal_year", "-sequence")[:500])
    audit_list_view(
        request,
        "事例一覧",
        detail={
            "filters": {"region": request.GET.get("region", ""), "status": request.GET.get("status", "")},
            "case_ids": [c.pk for c in shown],
        },
    )
    return render(
        request,
        "meetings/case_list.html",
        {
            "cases": shown,
            "filters": filters.form,
        },
    )


def case_detail(request, pk):
    _require_case_reader(request.user)
    action = "change" if request.method == "POST" else "view_case"  # a POST saves its follow-ups
    case = roles.get_for_user(
        CaseReview.objects.alive().select_related("region", "meeting"), request.user, action=action, pk=pk
    )
    audit_view(request, case)
    data = request.POST or None
    today = timezone.localdate()
    rows = followup_forms(case, data, today=today)
    forms_ = [row.form for row in rows if row.form is not None]
    version_form = FollowUpVersionForm(data, meeting=case.meeting)
    conflict_rows = None
    if request.method == "POST" and not forms_:
        # No period is open (no 退院年月, or none has come): said, not a form refused after filling it.
        messages.error(request, sanity.NO_DISCHARGE_MONTH if case.discharge_month is None else NO_PERIOD_OPEN)
    elif request.method == "POST" and version_form.is_valid() and all(form.is_valid() for form in forms_):
        updates = {
            row.months: ({"status": row.form.cleaned_data["status"], "note": row.form.cleaned_data["note"]})
            if row.form.cleaned_data["status"]
            else None
            for row in rows
            if row.form is not None
        }
        loaded = version_form.loaded_version
        try:
            services.case_followups_update(
                by=request.user, case=case, rows=updates, today=today, expected_version=loaded
            )
        except StaleVersionError as conflict:
            meeting = Meeting.objects.get(pk=conflict.instance.pk)
            conflict_rows = services.followup_conflict_rows(
                case=case, meeting=meeting, loaded_version=loaded, rows=updates
            )
            # The input stays, now carrying the stored version: saving again is a deliberate overwrite.
            data = request.POST.copy()
            data["version"] = str(meeting.version)
            case = CaseReview.objects.select_related("region", "meeting").get(pk=pk)
            rows = followup_forms(case, data, today=today)
            version_form = FollowUpVersionForm(data, meeting=meeting)
            messages.error(
                request,
                "他の利用者が先にこの事例の会議を保存したため、追跡調査を保存しませんでした。"
                "下の表で相手の変更とあなたの入力を確認し、必要なら直してからもう一度保存してください。",
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"事例 {case.display_number} の追跡調査を保存しました。")
            return redirect("meetings:case_detail", pk=pk)
    return render(
        request,
        "meetings/case_detail.html",
        {
            "case": case,
            "followup_rows": rows,
            "can_record": bool(forms_),
            "no_discharge_month": sanity.NO_DISCHARGE_MONTH,
            "version_form": version_form,
            "conflict_rows": conflict_rows,
        },
    )


def success_list(request):
    """成功事例: counts per region for everyone; the cases themselves only where details are allowed."""
    successful = CaseReview.objects.alive().successful()
    counts = dict(successful.order_by().values("region").annotate(n=Count("pk")).values_list("region", "n"))
    regions = [(r, counts.get(r.pk, 0)) for r in Region.objects.order_by("display_order", "code")]
    cases = None
    if roles.can_write(request.user):
        cases = (
            successful.restrict(request.user, "view_case")
            .select_related("region", "meeting")
            .prefetch_related("followups")
            .order_by("region__display_order", "-fiscal_year", "-sequence")
        )
        cases = list(cases)
        audit_list_view(request, "成功事例", detail={"case_ids": [c.pk for c in cases]})
    return render(
        request,
        "meetings/success_list.html",
        {"regions": regions, "total": sum(counts.values()), "cases": cases},
    )
