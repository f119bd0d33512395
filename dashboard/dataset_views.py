"""提出・承認の状況: the completeness page and one data set's page (issue #17).

Officials see every region, the prefecture-level (県全体) and the municipality-level (市町村別) sets; a
health centre's staff their own regions' sets; viewers neither (403: they read the published figures
on the dashboard and the sheet, not the work in progress). The steps on a set's page post to the
indicators app (`indicators.dataset_views`), which owns the writes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from core import fiscal
from dashboard import datasets as reading
from dashboard.forms import DataSetYearsForm
from indicators import datasets
from indicators.areas import portal_prefecture
from indicators.forms import DataSetStepForm, DeadlineForm
from indicators.services import datasets as steps

State = reading.State

# Each step's button: its words and its look.
BUTTONS = {
    steps.SUBMIT: ("提出する", "btn-primary"),
    steps.WITHDRAW: ("提出を取り下げる", "btn-outline-secondary"),
    steps.APPROVE: ("承認する", "btn-success"),
    steps.RETURN: ("差し戻す", "btn-outline-warning"),
    steps.REOPEN: ("承認を取り消して再開する", "btn-outline-danger"),
}


@roles.writer_required
def data_set_list(request):
    """Each area × 年度: state, figures stored, on time or late against the 年度's due date."""
    prefecture = portal_prefecture()
    today = timezone.localdate()
    years = list(datasets.years(today))
    current = fiscal.fiscal_year_of(today)
    form = DataSetYearsForm(
        request.GET or None,
        years=years,
        current=current,
        default_years=reading.DEFAULT_YEARS,
        max_years=reading.MAX_YEARS,
    )
    shown = form.fiscal_years()
    rows = reading.completeness(prefecture=prefecture, user=request.user, fiscal_years=shown, today=today)
    is_official = roles.can_review_data_sets(request.user)
    deadlines = {}
    if rows and rows[0].cells:
        deadlines = {cell.fiscal_year: cell.deadline for cell in rows[0].cells}
    return render(
        request,
        "dashboard/datasets.html",
        {
            "form": form,
            "rows": rows,
            "fiscal_years": shown,
            "deadlines": [(year, deadlines.get(year)) for year in shown],
            "is_official": is_official,
            "deadline_form": DeadlineForm(years=years, initial={"fiscal_year": current})
            if is_official
            else None,
        },
    )


def _steps(user, page: reading.DataSetPage) -> tuple[list[DataSetStepForm], str]:
    """The step forms the user may use on the set as it is now, and why approval is not offered to
    an official who submitted it."""
    data_set, state = page.data_set, page.state
    submitted_by_id = data_set.submitted_by_id if data_set else None
    actions, note = [], ""
    if state in {State.OPEN, State.RETURNED} and roles.can_submit_data_set(user, page.region):
        actions.append(steps.SUBMIT)
    if state == State.SUBMITTED:
        if roles.can_withdraw_data_set(user, submitted_by_id=submitted_by_id, region=page.region):
            actions.append(steps.WITHDRAW)
        if roles.can_review_data_sets(user):
            if roles.can_approve_data_set(user, submitted_by_id=submitted_by_id):
                actions.append(steps.APPROVE)
            else:
                note = roles.DATA_SET_OWN_APPROVAL
            actions.append(steps.RETURN)
    if state == State.APPROVED and roles.can_review_data_sets(user):
        actions.append(steps.REOPEN)
    forms = []
    for action in actions:
        form = DataSetStepForm(action=action, initial={"version": page.version})
        form.button, form.css = BUTTONS[action]
        form.url = reverse(
            f"indicators:dataset_{action}", kwargs={"area": page.code, "fiscal_year": page.key.fiscal_year}
        )
        forms.append(form)
    return forms, note


@roles.writer_required
def data_set_detail(request, area: str, fiscal_year: int):
    """The figures of one set, its state and history, the steps the user may take, and the due date."""
    if fiscal_year not in datasets.years():
        raise Http404("年度が範囲外です")
    prefecture = portal_prefecture()
    found = datasets.key_from_code(prefecture=prefecture, code=area, fiscal_year=fiscal_year)
    if found is None:
        raise Http404("その地域のデータセットはありません")
    key, region = found
    if not roles.can_view_data_set(request.user, region):
        raise PermissionDenied("このデータセットを見る権限がありません。")
    page = reading.data_set_page(prefecture=prefecture, key=key, region=region)
    forms, approval_note = _steps(request.user, page)
    is_official = roles.can_review_data_sets(request.user)
    deadline_form = None
    if is_official:
        initial = {"fiscal_year": fiscal_year}
        if page.deadline is not None:
            initial["due_date"] = page.deadline.due_date
        deadline_form = DeadlineForm(years=datasets.years(), fixed_year=fiscal_year, initial=initial)
    return render(
        request,
        "dashboard/dataset_detail.html",
        {
            "page": page,
            "fiscal_year": fiscal_year,
            "step_forms": forms,
            "approval_note": approval_note,
            "can_enter": roles.can_enter_figures(request.user, region=region) and not page.is_locked,
            "is_official": is_official,
            "deadline_form": deadline_form,
        },
    )
