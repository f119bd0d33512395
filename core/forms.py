"""Form pieces shared by meetings and training.

- `OrganisationCountsForm`: one non-negative count per `core.categories.OrganisationType`, shown on the
  same page as the record's main form (no JavaScript, no formset management form). Meetings count
  participants with it, training counts attendees.
- `VersionField` / `VersionedModelForm` / `StaleVersionError`: optimistic locking. The edit form carries
  the version it was loaded with; the service refuses to save when the stored version has moved on (the
  error carries the stored record, for `core.changes.conflict_rows`). In a model formset each row is
  a `VersionedModelForm`, so each row carries its own version.
- `OwnRowsFormSetMixin`: a model formset that accepts only rows of the record being edited (a posted row
  id of another record, or of a row deleted meanwhile, is refused instead of saved as a new row).
- `NamedErrorsMixin` / `PortalForm` / `PortalModelForm`: Django's generic messages (「このフィールドは必須です。」)
  rewritten with the field's label (「開催日を入力してください。」), so a message read in the error summary
  at the top of the page, away from its field, still says which field it is about. Every portal form
  subclasses one of them (tests/core/test_form_errors.py checks).
- crispy helpers, so every form renders one way (`{% crispy form %}`): `inline_helper` (a form inside the
  page's own `<form>`), `filter_bar_helper` (a list's GET filter bar, with `QuickSelect`), `Cell` (a
  field as a table cell), `counts_helper` (the counts form as a grid or as rows).
- `ConfirmField` / `ConfirmableMixin`: warn and let the user confirm input that is possible but
  unlikely (a held meeting with no participants): not saved until a checkbox naming the choice is ticked.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import TEMPLATE_PACK, Div, Field, Layout
from django import forms
from django.forms import BaseInlineFormSet, BaseModelFormSet
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.categories import OrganisationType

MAX_COUNT = 100_000


# Codes whose message Django formats with params (`%(limit_value)s`…): a label put into them escapes `%`.
_FORMATTED = {"max_length", "min_length", "max_value", "min_value", "invalid_choice", "step_size"}


def _default_messages(field: forms.Field) -> dict[str, str]:
    """The messages Django gives the field's class when the form sets none (to leave custom ones alone)."""
    messages = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return {code: str(text) for code, text in messages.items()}


def _generic_validator_codes(field: forms.Field) -> set[str]:
    """The codes of the field's validators, when none of the validators of a code has its own message."""
    generic, custom = set(), set()
    for validator in field.validators:
        code = getattr(validator, "code", None)
        if not code:
            continue
        default = getattr(type(validator), "message", None)
        if default is not None and str(getattr(validator, "message", default)) == str(default):
            generic.add(code)
        else:
            custom.add(code)
    return generic - custom


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        field.widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple
    )


def named_messages(field: forms.Field, label: str) -> dict[str, str]:
    """Field-named Japanese messages for the codes Django words generically."""
    escaped = label.replace("%", "%%")
    if isinstance(field, forms.FileField):
        required = f"{label}のファイルを選んでください。"
    elif isinstance(field, forms.BooleanField):
        required = f"{label}にチェックを入れてください。"
    elif _is_choice(field):
        required = f"{label}を選んでください。"
    else:
        required = f"{label}を入力してください。"
    if isinstance(field, forms.DateTimeField):
        invalid = f"{label}は正しい日時で入力してください。"
    elif isinstance(field, forms.DateField):
        invalid = f"{label}は正しい日付で入力してください。"
    elif isinstance(field, forms.TimeField):
        invalid = f"{label}は正しい時刻で入力してください。"
    elif isinstance(field, forms.DecimalField | forms.FloatField):  # subclasses of IntegerField: first
        invalid = f"{label}は数値で入力してください。"
    elif isinstance(field, forms.IntegerField):
        invalid = f"{label}は整数で入力してください。"
    elif isinstance(field, forms.EmailField):
        invalid = f"{label}は正しいメールアドレスで入力してください。"
    elif isinstance(field, forms.URLField):
        invalid = f"{label}は正しい URL で入力してください。"
    else:
        invalid = f"{label}の形式が正しくありません。"
    return {
        "required": required,
        "invalid": invalid,
        "invalid_choice": f"{escaped}の選択肢が正しくありません。選び直してください。",
        "invalid_list": f"{label}の選択が正しくありません。",
        "invalid_pk_value": f"{escaped}の選択肢が正しくありません。選び直してください。",
        "max_length": f"{escaped}は%(limit_value)d文字以内で入力してください（現在 %(show_value)d 文字）。",
        "min_length": f"{escaped}は%(limit_value)d文字以上で入力してください（現在 %(show_value)d 文字）。",
        "max_value": f"{escaped}は%(limit_value)s以下で入力してください。",
        "min_value": f"{escaped}は%(limit_value)s以上で入力してください。",
        "step_size": f"{escaped}は%(limit_value)s刻みで入力してください。",
        "max_digits": f"{label}の桁数が多すぎます。",
        "max_decimal_places": f"{label}の小数点以下の桁数が多すぎます。",
        "max_whole_digits": f"{label}の整数部分の桁数が多すぎます。",
        "missing": f"{label}のファイルが送られていません。",
        "empty": f"{label}のファイルが空です。",
        "incomplete": f"{label}を入力してください。",
    }


class NamedErrorsMixin:
    """Rewrites the generic messages of every field with its label, just before validation.

    Done in `full_clean` rather than `__init__` so that fields a subclass adds after `super().__init__()`
    (the counts forms, the sheet rows) are named too. A message a form set itself is kept: only the codes
    still carrying Django's default text, or not set at all, are replaced."""

    def full_clean(self):
        for name, field in self.fields.items():
            if getattr(field, "_portal_named", False):
                continue
            label = str(self[name].label or name)
            defaults = _default_messages(field)
            # A field's message for a code also replaces its validators' messages of that code (Django's
            # run_validators): a code is added only where every validator raising it words it generically
            # (a model's MinValueValidator saying 「研修時間は0.25時間以上…」 keeps its words).
            generic_validator_codes = _generic_validator_codes(field)
            field.error_messages = {
                **field.error_messages,
                **{
                    code: text
                    for code, text in named_messages(field, label).items()
                    if (
                        code in field.error_messages and str(field.error_messages[code]) == defaults.get(code)
                    )
                    or (code not in field.error_messages and code in generic_validator_codes)
                },
            }
            field._portal_named = True
        super().full_clean()


class PortalForm(NamedErrorsMixin, forms.Form):
    """The base of the portal's plain forms."""


class PortalModelForm(NamedErrorsMixin, forms.ModelForm):
    """The base of the portal's model forms."""


class StaleVersionError(Exception):
    """Raised by a service when the record changed after the form was loaded; `instance` is the stored record."""

    message = "他の利用者が先にこの記録を更新しました。最新の内容を確認してから、もう一度保存してください。"

    def __init__(self, instance=None):
        super().__init__(self.message)
        self.instance = instance

    def __str__(self):
        return self.message


class VersionField(forms.IntegerField):
    """The hidden `version` the edit form was loaded with."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class VersionedModelForm(PortalModelForm):
    """A model form carrying the record's `version` (hidden) for the service's optimistic-locking check."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    @property
    def loaded_version(self) -> int | None:
        """Only after is_valid(): the version the editor loaded (None on a new record)."""
        return self.cleaned_data.get("version")


class ConfirmField(forms.BooleanField):
    """The checkbox that confirms one unlikely input (its label says what is kept, e.g.
    「参加者0人のまま登録する」). Drawn only when `ConfirmableMixin.needs_confirmation` asked for it."""

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(label=label, **kwargs)


class ConfirmableMixin:
    """Warn-and-confirm on a form: for input that is unlikely rather than impossible (impossible input
    is simply refused with a field error). The form declares a `ConfirmField` per rule; once the rest of
    the page is valid, the form (or the page's editor) calls `needs_confirmation(name, message)`:

    - box not ticked: the message becomes the box's error, so the page is not valid, nothing is saved,
      everything typed stays, and the box appears beside the message;
    - box ticked: the input is accepted as it is.

    A warning is an error of its own checkbox so that every error display (the field, the page's
    summary) shows it with the box to tick. The template draws `confirmations` only: boxes asked for
    now, or ticked on the page that was posted (so a confirmation is visible until saved).
    """

    def needs_confirmation(self, name: str, message: str) -> bool:
        """True (and the warning added) when the unlikely input `name` confirms is not confirmed yet."""
        if self.cleaned_data.get(name):
            return False
        self.add_error(name, message)
        return True

    @property
    def confirmations(self) -> list:
        shown = []
        for name, field in self.fields.items():
            if not isinstance(field, ConfirmField):
                continue
            bound = self[name]
            if bound.errors or (
                self.is_bound and field.widget.value_from_datadict(self.data, self.files, bound.html_name)
            ):
                shown.append(bound)
        return shown


class OrganisationCountsForm(PortalForm):
    """A count per organisation type; blank means 0. `counts()` returns {type value: count > 0}."""

    error_css_class = "table-danger"

    def __init__(self, *args, initial_counts: dict[str, int] | None = None, layout: str = "grid", **kwargs):
        kwargs.setdefault("prefix", "counts")
        super().__init__(*args, **kwargs)
        initial_counts = initial_counts or {}
        for value, label in OrganisationType.choices:
            self.fields[value] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=MAX_COUNT,
                initial=initial_counts.get(value) or None,
                error_messages={
                    "invalid": f"{label}の人数は整数で入力してください。",
                    "min_value": f"{label}の人数に負の数は入力できません。",
                    "max_value": f"{label}の人数が大きすぎます（{MAX_COUNT:,}人以下）。",
                },
                widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
            )

        self.helper = counts_helper(self, layout=layout)

    def counts(self) -> dict[str, int]:
        """Only call after is_valid(): the non-zero counts by organisation type value."""
        return {key: value for key, value in self.cleaned_data.items() if value}

    def total(self) -> int:
        return sum(self.counts().values())


FOREIGN_ROW_MESSAGE = (
    "この画面で編集している記録のものではない行（または他の利用者が削除した行）が送信されました。"
    "何も保存していません。画面を開き直してから、もう一度入力してください。"
)


class OwnRowsFormSetMixin:
    """For model and inline formsets: every posted row id must be one of the formset's own rows.

    Django checks a posted id only against the whole table and, when the row is not among the formset's
    own, quietly builds a new row from the posted fields: a tampered `cases-0-id` of another region's
    case (or a row someone deleted meanwhile) became a silent new record. Here the id must name a row
    of the formset's queryset, an existing row must post its id, and an added row must post none;
    otherwise the formset is invalid with `FOREIGN_ROW_MESSAGE` and nothing is saved.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.model._meta.pk.name)
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = self.get_queryset()
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": FOREIGN_ROW_MESSAGE,
                "required": FOREIGN_ROW_MESSAGE,
            }

    def clean(self):
        super().clean()
        name = self.model._meta.pk.name
        foreign = any(name in form.errors for form in self.forms) or any(
            form.cleaned_data.get(name) is not None for form in self.extra_forms if form.is_valid()
        )
        if foreign:
            raise forms.ValidationError(FOREIGN_ROW_MESSAGE, code="foreign_row")


class OwnRowsInlineFormSet(OwnRowsFormSetMixin, BaseInlineFormSet):
    """An inline formset (a meeting's action items, its cases) that refuses rows of other records."""


class OwnRowsModelFormSet(OwnRowsFormSetMixin, BaseModelFormSet):
    """A model formset over a queryset (a sheet edition's rows) that refuses rows outside it."""


class QuickSelect(forms.Select):
    """A select whose <option>s are built in one pass rather than one template render each.

    At national scale the meeting list's 圏域 select has 335 options and the per-option template cost
    about 20 µs each (bench/CHANGES.md). Flat choices and one level of groups, as Django's Select."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        parts = [f"<select{flatatt(final)}>"]
        for group, options in self._grouped():
            if group is not None:
                parts.append(f'<optgroup label="{escape(group)}">')
            parts.extend(
                f'<option value="{escape(v)}"{" selected" if str(v) in chosen else ""}>{escape(label)}</option>'
                for v, label in options
            )
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))

    def _grouped(self):
        for value, label in self.choices:
            if isinstance(label, list | tuple):
                yield value, label
            else:
                yield None, [(value, label)]


class Cell(Field):
    """A field rendered as one table cell (`<td>`), for forms laid out as table rows: the column header
    or the row's `<th>` is the visible label, so the helper hides labels and `aria_label` names it."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        extra_context = {**(extra_context or {}), "tag": "td"}
        return super().render(form, context, template_pack, extra_context=extra_context, **kwargs)


def inline_helper(**attributes) -> FormHelper:
    """A helper for a form rendered inside a page's own `<form>` (with its CSRF token): no form tag."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True  # hidden fields a layout does not name (ids, versions) still post
    for name, value in attributes.items():
        setattr(helper, name, value)
    return helper


def counts_helper(form: forms.Form, *, layout: str) -> FormHelper:
    """ "grid": four small columns (the meeting page); "rows": label left, number right (training)."""
    if layout == "rows":
        helper = inline_helper(
            form_class="form-horizontal", label_class="col-8 fw-normal", field_class="col-4"
        )
        helper.layout = Layout(*(Field(name, css_class="text-end") for name in form.fields))
        return helper
    helper = inline_helper(label_class="small mb-1")
    helper.layout = Layout(
        Div(
            *(Field(name, css_class="text-end", wrapper_class="col-6 col-md-3") for name in form.fields),
            css_class="row g-2 dense-fields",
        )
    )
    return helper


def filter_bar_helper(
    form: forms.Form, *, col: str, search_col: str | None = None, **cols: str
) -> FormHelper:
    """The crispy helper of a GET filter bar: one column per field, small controls, labels above.

    `col` is every column's class, `search_col` the text boxes' (rendered as search boxes) and
    `cols` one field's; with a `search_col`, text boxes are search boxes. The page wraps it in `<div class="row g-2 align-items-end filter-bar">`
    (portal.css drops the fields' bottom margin there); its help texts become tooltips, so the bar
    stays one line."""
    helper = inline_helper(label_class="small mb-1")
    items = []
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            items.append(Div(Field(name), css_class="col-auto ms-2"))
            continue
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
            field.widget = QuickSelect(attrs=widget.attrs, choices=field.choices)
            field.widget.is_required = field.required
            items.append(Field(name, css_class="form-select-sm", wrapper_class=cols.get(name, col)))
            continue
        if search_col and type(widget) is forms.TextInput:
            widget.input_type = "search"
        if field.help_text:
            widget.attrs["title"] = field.help_text
            field.help_text = ""
        wrapper = cols.get(name) or (search_col if widget.input_type == "search" and search_col else col)
        items.append(Field(name, css_class="form-control-sm", wrapper_class=wrapper))
    helper.layout = Layout(*items)
    return helper
