"""Confirmation steps for actions that act at once and cannot simply be taken back (delete, undo,
publish): the button opens a page (GET) that says what will happen, and the POST acts only when it
carries the confirmation field that page posts. Works without JavaScript.

The view decides permissions first (the page answers exactly as the action would), then either draws
the page with `confirmation_page` or, on a POST without `is_confirmed`, draws it again with status 400
and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"


@dataclass(frozen=True)
class Confirmation:
    title: str  # 「この会議を削除しますか」
    lead: str  # one sentence: what is acted on
    points: list[str]  # what will happen, one fact per line (who can restore, how many values, …)
    action_url: str
    submit_label: str  # 「削除する」 / 「取り消す」 / 「公開する」
    back_url: str
    danger: bool = True
    extra: dict = field(default_factory=dict)  # further context for a template extending confirm.html


def is_confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(request, confirmation: Confirmation, *, template: str = "confirm.html", refused=False):
    """The confirmation page; `refused` (a POST that skipped it) answers 400 saying nothing changed."""
    context = {
        "confirmation": confirmation,
        "refused": refused,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
        **confirmation.extra,
    }
    return render(request, template, context, status=400 if refused else 200)
