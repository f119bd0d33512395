"""The 「確認が必要な値」 list and the validation rules of an indicator (issue #17, item 3).

The list is for writers: officials resolve any flag, health-centre staff those of their own
region's values (`FlaggedValue.objects.restrict(user, "change")`); viewers are refused — the list
holds the notes officials wrote while entering data, not figures for partners. Rules are set by
officials on the indicator definition page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import roles
from core.changes import record_conflict_rows
from core.forms import StaleVersionError
from core.listing import page_number, query_without_page
from indicators import forms
from indicators.areas import portal_prefecture
from indicators.filters import FlaggedValueFilter
from indicators.models import FlaggedValue, Indicator, ValidationRule
from indicators.services import flags as flag_services
from indicators.services import rules as rule_services
from indicators.values import format_value

PAGE_SIZE = 25
FILTER_KEYS = ("indicator", "area", "resolved", "page")


@roles.writer_required
def check_list(request):
    """Values saved although a soft rule questioned them: unresolved first, filtered, a page at a time
    (LIMIT 26 OFFSET n), each with the form to resolve it where the user may."""
    user = request.user
    filters = FlaggedValueFilter(
        request.GET or None, FlaggedValue.objects.listed_for(user), prefecture=portal_prefecture()
    )
    page = page_number(request)
    offset = (page - 1) * PAGE_SIZE
    rows = list(filters.qs.for_list()[offset : offset + PAGE_SIZE + 1])
    shown = rows[:PAGE_SIZE]
    query = query_without_page(request)
    return render(
        request,
        "indicators/check_list.html",
        {
            "filters": filters.form,
            "rows": [
                (
                    flag,
                    format_value(flag.observation.value, flag.observation.indicator),
                    forms.FlagResolveForm(flag_id=flag.pk)
                    if flag.resolved_at is None and roles.can_edit_region(user, flag.observation.region_id)
                    else None,
                )
                for flag in shown
            ],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "first_index": offset + 1,
            "last_index": offset + len(shown),
            "query": query,
            "back": request.GET.urlencode(),
            "is_prefecture": roles.is_prefecture(user),
        },
    )


def _back_to_list(request):
    """The list as it was filtered (only its own parameters are carried back)."""
    posted = QueryDict(request.POST.get("back", ""))
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        if key in posted:
            kept[key] = posted[key][:100]
    url = reverse("indicators:checks")
    return redirect(f"{url}?{kept.urlencode()}" if kept else url)


@roles.writer_required
@require_POST
def check_resolve(request, pk: int):
    """Mark one flagged value as checked, with what was found (officials; staff their region's)."""
    flag = roles.get_for_user(
        FlaggedValue.objects.select_related("observation"), request.user, action="change", pk=pk
    )
    form = forms.FlagResolveForm(request.POST, flag_id=flag.pk)
    if not form.is_valid():
        messages.error(request, "確認結果を入力してください（確認済みにしていません）。")
        return _back_to_list(request)
    try:
        flag_services.flag_resolve(by=request.user, flag=flag, resolution=form.cleaned_data["resolution"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{flag.observation.indicator.name_ja}の値を確認済みにしました。")
    return _back_to_list(request)


# --- the rules of one indicator ----------------------------------------------------------------------


def _rule_page(request, form, indicator, title, conflict=None):
    return render(
        request,
        "indicators/rule_form.html",
        {"form": form, "indicator": indicator, "title": title, "conflict_rows": conflict},
    )


@roles.prefecture_required
def rule_create(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    form = forms.ValidationRuleForm(request.POST or None)
    title = f"検証ルールを追加する（{indicator.name_ja}）"
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        rule_services.validation_rule_create(by=request.user, indicator=indicator, **data)
        messages.success(request, "検証ルールを追加しました。次に登録・取り込みする値から適用します。")
        return redirect("indicators:indicator_detail", code=indicator.code)
    return _rule_page(request, form, indicator, title)


@roles.prefecture_required
def rule_edit(request, pk: int):
    rule = get_object_or_404(ValidationRule.objects.select_related("indicator"), pk=pk)
    indicator = rule.indicator
    form = forms.ValidationRuleForm(request.POST or None, instance=rule)
    title = f"検証ルールを編集する（{indicator.name_ja}）"
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        loaded = form.loaded_version or 0
        try:
            rule_services.validation_rule_update(by=request.user, rule=rule, version=loaded, **data)
        except StaleVersionError as exc:
            draft = ValidationRule.objects.get(pk=exc.instance.pk)
            for name, value in data.items():
                setattr(draft, name, value)
            conflict = record_conflict_rows(stored=exc.instance, loaded_version=loaded, draft=draft)
            reloaded = request.POST.copy()
            reloaded["version"] = str(exc.instance.version)
            form = forms.ValidationRuleForm(reloaded, instance=exc.instance)
            form.is_valid()
            form.add_error(
                None,
                "他の利用者が先にこのルールを保存したため、保存しませんでした。上の表で相手の変更を確認し、"
                "必要なら直してからもう一度保存してください。",
            )
            return _rule_page(request, form, indicator, title, conflict)
        messages.success(request, "検証ルールを保存しました。")
        return redirect("indicators:indicator_detail", code=indicator.code)
    return _rule_page(request, form, indicator, title)


@roles.prefecture_required
@require_POST
def rule_deactivate(request, pk: int):
    rule = get_object_or_404(ValidationRule.objects.select_related("indicator"), pk=pk)
    rule_services.validation_rule_deactivate(by=request.user, rule=rule)
    messages.success(request, "検証ルールの使用をやめました（「編集」で「使用中」にすると再び使えます）。")
    return redirect("indicators:indicator_detail", code=rule.indicator.code)
