"""The data sets' steps (提出, 取り下げ, 差し戻し, 承認, 再開) and the due date: POST only.

The pages they are posted from — the completeness page and a set's page — are read pages of the
dashboard (`dashboard.dataset_views`, they show the peer-support figures of `training`, which this app
may not import); every step goes back to the set's page with a message saying what happened. Who may
take which step is decided in `accounts.roles` and checked again in the services (403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import roles
from core import fiscal
from core.forms import StaleVersionError
from indicators import datasets, forms
from indicators.areas import portal_prefecture
from indicators.services import datasets as services

STEPS = {
    services.SUBMIT: services.data_set_submit,
    services.WITHDRAW: services.data_set_withdraw,
    services.RETURN: services.data_set_return,
    services.APPROVE: services.data_set_approve,
    services.REOPEN: services.data_set_reopen,
}
DONE = {
    services.SUBMIT: "提出しました。県の担当者が確認するまで、値は変更できません。",
    services.WITHDRAW: "提出を取り下げました。値を変更できます。",
    services.RETURN: "差し戻しました。提出した人が値を直して、もう一度提出します。",
    services.APPROVE: "承認しました。値は確定し、変更できなくなりました。",
    services.REOPEN: "承認を取り消して再開しました。値を変更でき、もう一度提出と承認が必要です。",
}
STALE = "他の利用者が先にこのデータセットを操作したため、何もしませんでした。現在の状況を確認してください。"


def _key(area: str, fiscal_year: int):
    if fiscal_year not in datasets.years():
        raise Http404("年度が範囲外です")
    found = datasets.key_from_code(prefecture=portal_prefecture(), code=area, fiscal_year=fiscal_year)
    if found is None:
        raise Http404("その地域のデータセットはありません")
    return found[0]


@roles.writer_required
@require_POST
def data_set_step(request, area: str, fiscal_year: int, action: str):
    key = _key(area, fiscal_year)
    page = reverse("dashboard:dataset_detail", kwargs={"area": area, "fiscal_year": fiscal_year})
    form = forms.DataSetStepForm(request.POST, action=action)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(page)
    arguments = {"by": request.user, "key": key, "version": form.cleaned_data["version"], "request": request}
    if action in (services.RETURN, services.REOPEN):
        arguments["reason"] = form.reason
    elif action == services.SUBMIT:
        arguments["note"] = form.reason
    try:
        STEPS[action](**arguments)
    except StaleVersionError:
        messages.error(request, STALE)
    except ValidationError as exc:  # the step does not apply to the set's state now
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, DONE[action])
    return redirect(page)


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@roles.prefecture_required
@require_POST
def deadline_set(request):
    """Set a 年度's due date (from the completeness page or a set's page; `next` says which)."""
    form = forms.DeadlineForm(request.POST, years=datasets.years())
    back = _back(request, reverse("dashboard:datasets"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        services.deadline_set(
            by=request.user,
            prefecture=portal_prefecture(),
            fiscal_year=data["fiscal_year"],
            due_date=data["due_date"],
        )
    except StaleVersionError:  # two officials set the first due date of the year at the same moment
        messages.error(request, STALE)
    else:
        messages.success(
            request,
            f"{fiscal.fiscal_year_label(data['fiscal_year'])}の提出期限を"
            f"{fiscal.wareki_date(data['due_date'])}にしました。",
        )
    return redirect(back)
