"""The error summary every form page shows, the required-field note, and the error count in <title>.

A form re-rendered with errors used to come back scrolled to the top with nothing there: a missing
担当機関 in an action row showed only far down the page. The GOV.UK / デジタル庁 pattern fixes it once:

- `{% error_summary form formset … form_id="…" %}` at the top of the page: a heading with the count and
  one link per error to its field (a formset row's field by its exact id, prefixed with the row:
  「対応事項 2行目：…」), non-field errors and errors of hidden fields linking to the form itself.
  A string argument names the formsets (or forms) after it: `"対応事項" editor.actions`.
  `static/core/error-summary.js` moves focus to it on load, and its links move focus to the field.
- `{% required_note form … %}`: 「* は必須項目です。」 once per form that shows a required mark.
- `{% error_title %}…{% enderror_title %}` wraps base.html: the title is rendered before the page body,
  where the summaries are, so the whole page is rendered first and 「エラー 2件 – 」 is put into its
  <title> afterwards, counted from the summaries themselves (the two cannot disagree).

Loaded as a builtin (settings.TEMPLATES).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()

STATE = "_form_error_state"


@dataclass(frozen=True)
class Entry:
    text: str
    target: str


def field_target(bound: forms.BoundField) -> str:
    """The id the summary links to: the control itself (a radio group's first button)."""
    target = bound.id_for_label
    if not target and isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        target = f"{bound.auto_id}_0"
    return target or bound.auto_id or ""


def _first_field_target(form: forms.BaseForm) -> str:
    for bound in form.visible_fields():
        if target := field_target(bound):
            return target
    return ""


def _form_entries(form: forms.BaseForm, *, prefix: str, form_target: str) -> list[Entry]:
    # crispy's block of non-field errors above the fields (templates/bootstrap5/errors.html) leaves them out
    form.in_error_summary = True
    entries = []
    own_target = _first_field_target(form) if prefix else ""
    for message in form.non_field_errors():
        entries.append(Entry(f"{prefix}{message}", own_target or form_target))
    for bound in form:
        for message in bound.errors:
            target = form_target if bound.is_hidden else (field_target(bound) or form_target)
            entries.append(Entry(f"{prefix}{message}", target))
    return entries


def _is_deleted(formset: BaseFormSet, form: forms.BaseForm) -> bool:
    # Django ignores the errors of a row marked for deletion; so does the summary.
    return formset.can_delete and formset._should_delete_form(form)


def summary_entries(items, *, form_id: str = "") -> list[Entry]:
    """One entry per error of the given forms and formsets, in page order. Strings name what follows."""
    entries: list[Entry] = []
    label = ""
    for item in items:
        if isinstance(item, str):
            label = item
            continue
        if isinstance(
            item, list | tuple
        ):  # rows of forms, e.g. (months, "3か月後", form): the string names the form
            entries.extend(summary_entries(item, form_id=form_id))
            continue
        if isinstance(item, BaseFormSet):
            if not item.is_bound:
                continue
            for message in item.non_form_errors():
                entries.append(Entry(f"{label}：{message}" if label else str(message), form_id))
            for number, form in enumerate(item.forms, start=1):
                if _is_deleted(item, form):
                    continue
                prefix = f"{label} {number}行目：" if label else f"{number}行目："
                entries.extend(_form_entries(form, prefix=prefix, form_target=form_id))
        elif isinstance(item, forms.BaseForm):
            if not item.is_bound:
                continue
            prefix = f"{label}：" if label else ""
            entries.extend(
                _form_entries(item, prefix=prefix, form_target=form_id or _first_field_target(item))
            )
        label = ""
    return entries


@register.simple_tag(takes_context=True)
def error_summary(context, *items, form_id: str = ""):
    entries = summary_entries(items, form_id=form_id)
    if not entries:
        return ""
    state = context.get(STATE)
    number = 1
    if isinstance(state, dict):
        state["count"] += len(entries)
        state["summaries"] += 1
        number = state["summaries"]
    return render_to_string(
        "includes/error_summary.html", {"entries": entries, "summary_id": f"error-summary-{number}"}
    )


def _shows_required_mark(form: forms.BaseForm) -> bool:
    helper = getattr(form, "helper", None)
    if helper is not None and not getattr(helper, "form_show_labels", True):
        return False  # the labels, and their marks, are hidden (table rows headed by their columns)
    return any(field.required and not field.widget.is_hidden for field in form.fields.values())


@register.simple_tag
def required_note(*items):
    """「* は必須項目です。」 when any of the forms (or a formset's forms) shows a required mark."""
    for item in items:
        if isinstance(item, list | tuple):
            if required_note(*item):
                return required_note(*item)
            continue
        forms_ = list(item.forms) if isinstance(item, BaseFormSet) else [item]
        if any(isinstance(form, forms.BaseForm) and _shows_required_mark(form) for form in forms_):
            return mark_safe(
                '<p class="small text-body-secondary required-note">'
                '<span class="asteriskField" aria-hidden="true">*</span> は必須項目です。</p>'
            )
    return ""


class ErrorTitleNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        state = {"count": 0, "summaries": 0}
        with context.push({STATE: state}):
            html = self.nodelist.render(context)
        if state["count"]:
            html = html.replace("<title>", f"<title>エラー {state['count']}件 – ", 1)
        return mark_safe(html)


@register.tag
def error_title(parser, token):
    nodelist = parser.parse(("enderror_title",))
    parser.delete_first_token()
    return ErrorTitleNode(nodelist)
