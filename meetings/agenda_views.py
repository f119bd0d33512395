"""The PDCA loop's screens in the meetings app: 「次の会議の議題にする」 posted from the dashboard, the
proposals waiting for their region's next 圏域連絡調整会議, and the action items on their own (an item's
page, where it is closed, and the list of open ones).

Permissions as for every region-scoped record: reading as the meeting (everyone signed in), changing
by the region's staff and officials (`accounts.roles`); the services check the region again.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import roles
from core.listing import page_number, query_without_page
from indicators.areas import portal_prefecture
from meetings import agenda, services
from meetings.filters import OWN_REGIONS, ActionFilter
from meetings.forms import ActionUpdateForm, ProposalForm
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingKind, MeetingStatus

PAGE_SIZE = 25


# --- Proposals ------------------------------------------------------------------------------------


def _back(request) -> str:
    """Where the dashboard's button came from (`next`), if it is a page of this site; else the dashboard."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard:index")


def _day(meeting: Meeting) -> str:
    return f"{meeting.date.month}月{meeting.date.day}日"


def proposal_message(proposal: services.Proposal, *, indicator, region) -> str:
    """What the user is told about where their proposal went."""
    subject = f"{region.full_name}の「{indicator.name_ja}」"
    meeting = proposal.meeting
    if proposal.already:
        where = (
            f"{_day(meeting)}の{meeting.get_kind_display()}の議題"
            if meeting is not None
            else f"{region.full_name}の提案一覧（会議の計画待ち）"
        )
        return f"{subject}は既に提案されています（{where}）。"
    if meeting is not None:
        return f"{subject}を{_day(meeting)}の{meeting.get_kind_display()}の議題に加えました。"
    return (
        f"{subject}を提案しました。次の{MeetingKind(agenda.PROPOSAL_KIND).label}がまだ計画されていないため、"
        f"{region.full_name}の提案一覧に加えました。会議を登録するときに議題として選べます。"
    )


@require_POST
@roles.writer_required
def proposal_create(request):
    """「次の会議の議題にする」 (the dashboard's button): services.agenda_propose, then back where it was."""
    back = _back(request)
    form = ProposalForm(request.POST, prefecture=portal_prefecture())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    indicator, region = form.cleaned_data["indicator"], form.cleaned_data["region"]
    roles.check_region(request.user, region)  # another region's indicator: 403 (the service says so too)
    try:
        proposal = services.agenda_propose(
            by=request.user, indicator=indicator, region=region, today=timezone.localdate()
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        report = messages.info if proposal.already else messages.success
        report(request, proposal_message(proposal, indicator=indicator, region=region))
    return redirect(back)


def proposal_list(request):
    """The proposals waiting for a meeting: staff their regions', officials and viewers every region's
    (viewers read only), each with the indicator's standing now."""
    user = request.user
    items = AgendaItem.objects.alive().waiting().restrict(user, "view")
    if roles.is_health_centre_staff(user):
        items = items.filter(region__in=roles.editable_region_ids(user))
    items = list(
        items.select_related("region", "indicator", "proposed_by").order_by(
            "region__display_order", "region__code", "proposed_at", "pk"
        )
    )
    standings = agenda.item_standings(items, today=timezone.localdate())
    groups = []
    for item in items:
        if not groups or groups[-1]["region"].pk != item.region_id:
            groups.append(
                {"region": item.region, "can_edit": roles.can_edit_region(user, item.region_id), "rows": []}
            )
        groups[-1]["rows"].append((item, standings.get(item.pk)))
    return render(
        request,
        "meetings/proposal_list.html",
        {
            "groups": groups,
            "any_hidden": any(s.hidden for s in standings.values()),
            "is_staff": roles.is_health_centre_staff(user),
            "new_meeting_query": {"kind": agenda.PROPOSAL_KIND, "status": MeetingStatus.PLANNED},
        },
    )


@require_POST
@roles.writer_required
def proposal_withdraw(request, pk):
    item = roles.get_for_user(
        AgendaItem.objects.waiting().select_related("region"), request.user, action="change", pk=pk
    )
    services.agenda_withdraw(by=request.user, item=item)
    messages.success(request, f"{item.region.full_name}の提案「{item.title}」を取り下げました。")
    return redirect("meetings:proposals")


# --- Action items on their own ---------------------------------------------------------------------


def _action_queryset():
    return ActionItem.objects.select_related(
        "meeting", "meeting__region", "agenda_item", "agenda_item__indicator", "agenda_item__region"
    )


def action_detail(request, pk):
    """An action item: its meeting, its agenda item and indicator, the meetings it was carried into; the
    region's editors change its 状況 / 完了日 / 期限 here (versioned with the meeting, as its edit page)."""
    if request.method == "POST":
        if not roles.can_write(request.user):
            raise PermissionDenied("閲覧者は記録を変更できません。")
        # A deleted meeting's item is not found for changing, even by officials: restore the meeting first.
        action = roles.get_for_user(_action_queryset().alive(), request.user, action="change", pk=pk)
    else:
        action = roles.get_for_user(_action_queryset(), request.user, action="view", pk=pk)
    meeting = action.meeting
    can_edit = not meeting.is_deleted and roles.can_edit_region(request.user, meeting.region_id)
    form = (
        ActionUpdateForm(request.POST or None, instance=copy.copy(action), meeting=meeting)
        if can_edit
        else None
    )
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        fields, loaded = form.service_fields(), form.loaded_version
        try:
            services.action_update(by=request.user, action=action, fields=fields, expected_version=loaded)
        except services.EditConflict:
            meeting = Meeting.objects.select_related("region").get(pk=meeting.pk)
            action = _action_queryset().get(pk=pk)
            conflict_rows = services.action_conflict_rows(
                action=action, meeting=meeting, loaded_version=loaded, fields=fields
            )
            # The input stays, now carrying the stored version: saving again is a deliberate overwrite.
            data = request.POST.copy()
            data["version"] = str(meeting.version)
            form = ActionUpdateForm(data, instance=copy.copy(action), meeting=meeting)
            form.is_valid()
            messages.error(
                request,
                "他の利用者が先にこの対応事項の会議を保存したため、保存しませんでした。"
                "下の表で相手の変更とあなたの入力を確認し、必要なら直してからもう一度保存してください。",
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"対応事項「{action.description}」を更新しました。")
            return redirect("meetings:action_detail", pk=pk)
    item = action.agenda_item
    standing = agenda.item_standings([item], today=timezone.localdate()).get(item.pk) if item else None
    carried_into = [
        a.meeting
        for a in action.carried_in.select_related("meeting").order_by("meeting__date", "pk")
        if a.meeting is not None and (not a.meeting.is_deleted or roles.is_prefecture(request.user))
    ]
    return render(
        request,
        "meetings/action_detail.html",
        {
            "action": action,
            "meeting": meeting,
            "standing": standing,
            "carried_into": carried_into,
            "overdue": action.is_overdue(timezone.localdate()),
            "form": form,
            "conflict_rows": conflict_rows,
        },
    )


def action_list(request):
    """Open action items, the nearest 期限 first: 圏域 (staff start on their own) and 期限超過のみ; pages
    fetched as LIMIT 26 OFFSET n, as the meeting list."""
    user, today = request.user, timezone.localdate()
    data = request.GET.copy()
    if "region" not in data and roles.is_health_centre_staff(user):
        data["region"] = OWN_REGIONS
    queryset = ActionItem.objects.restrict(user, "view").alive().open()
    filters = ActionFilter(data or None, queryset, user=user, today=today)
    page = page_number(request)
    offset = (page - 1) * PAGE_SIZE
    rows = list(
        filters.qs.select_related("meeting", "meeting__region", "agenda_item").order_by(
            F("due_date").asc(nulls_last=True), "meeting__date", "pk"
        )[offset : offset + PAGE_SIZE + 1]
    )
    shown = rows[:PAGE_SIZE]
    return render(
        request,
        "meetings/action_list.html",
        {
            "filters": filters.form,
            "actions": [
                (a, a.is_overdue(today), roles.can_edit_region(user, a.meeting.region_id)) for a in shown
            ],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "first_index": offset + 1,
            "last_index": offset + len(shown),
            "query": query_without_page(request),
        },
    )
