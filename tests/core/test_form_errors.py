"""Form errors a new user can find (issue #19): the error summary at the top of the form pages, the field
named in every message, the error count in <title>, `aria-invalid` / `aria-describedby` on each invalid
field, 「* は必須項目です」 once per form, and a too-long title refused with its limit (never cut)."""

from __future__ import annotations

import importlib
import inspect
from decimal import Decimal
from pathlib import Path

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MinValueValidator
from django.template import Context, Template
from django.urls import reverse

from accounts.forms import PortalPasswordChangeForm, UnlockForm
from core.forms import FOREIGN_ROW_MESSAGE, NamedErrorsMixin, OrganisationCountsForm, PortalForm
from meetings.models import AgendaItem, Meeting
from tests.htmlcheck import control, error_summary, text_of
from tests.meetings.factories import ACTION_ROW, ActionItemFactory, MeetingFactory, meeting_form_data
from tests.training.helpers import session_post_data
from training.models import TrainingSession

ROOT = Path(__file__).resolve().parents[2]
LONG = "あ" * 10000
# GET filter forms: includes/filter_errors.html writes each error after its field's label already.
FILTER_FORMS = {"accounts.filters.AuditFilterForm"}


def _title(html: str) -> str:
    return html[html.index("<title>") + len("<title>") : html.index("</title>")]


def _form_modules() -> list[str]:
    paths = [*ROOT.glob("*/forms.py"), *ROOT.glob("*/settings_forms.py"), *ROOT.glob("*/filters.py")]
    return sorted(f"{p.parent.name}.{p.stem}" for p in paths if p.parent.name not in {"tests", "bench"})


def test_every_portal_form_names_its_fields_in_its_messages():
    seen, missing = set(), []
    for name in _form_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, forms.BaseForm):
                continue
            seen.add(f"{name}.{cls.__name__}")
            if not issubclass(cls, NamedErrorsMixin) and f"{name}.{cls.__name__}" not in FILTER_FORMS:
                missing.append(f"{name}.{cls.__name__}")
    assert {
        "meetings.forms.MeetingForm",
        "training.forms.TrainingSessionForm",
        "accounts.forms.LoginForm",
    } <= seen
    assert {
        "sheets.forms.FactForm",
        "indicators.forms.ObservationForm",
        "reminders.settings_forms.ReminderSettingsForm",
    } <= seen
    assert not missing, (
        "subclass core.forms.PortalForm / PortalModelForm (or NamedErrorsMixin): " + ", ".join(missing)
    )


class _Sample(PortalForm):
    share = forms.CharField(label="割合（%）", max_length=3)
    day = forms.DateField(label="開催日")
    count = forms.IntegerField(label="人数", min_value=0, required=False)
    kind = forms.ChoiceField(label="種別", choices=[("a", "A")])
    own = forms.CharField(label="メモ", required=True, error_messages={"required": "メモを書いてください。"})
    hours = forms.DecimalField(
        label="研修時間",
        required=False,
        validators=[MinValueValidator(Decimal("0.25"), message="研修時間は0.25時間以上で入力してください。")],
    )


def test_generic_messages_name_the_field():
    form = _Sample({"share": "12345", "day": "2026-13-45", "count": "-1", "kind": "z", "hours": "0"})
    assert not form.is_valid()
    assert form.errors == {
        "share": ["割合（%）は3文字以内で入力してください（現在 5 文字）。"],
        "day": ["開催日は正しい日付で入力してください。"],
        "count": ["人数は0以上で入力してください。"],
        "kind": ["種別の選択肢が正しくありません。選び直してください。"],
        "own": ["メモを書いてください。"],  # a message the form wrote itself is kept
        "hours": ["研修時間は0.25時間以上で入力してください。"],  # so is a validator's own message
    }
    assert _Sample({"hours": "たくさん"}).errors["hours"] == ["研修時間は数値で入力してください。"]
    blank = _Sample({})
    assert not blank.is_valid()
    assert blank.errors["share"] == ["割合（%）を入力してください。"]
    assert blank.errors["kind"] == ["種別を選んでください。"]
    assert "このフィールドは必須です。" not in str(blank.errors)


def test_a_form_s_own_messages_are_kept_and_fields_added_in_init_are_named(db):
    form = OrganisationCountsForm({"counts-family": "x"})
    assert not form.is_valid()
    assert form.errors["family"] == [f"{form.fields['family'].label}の人数は整数で入力してください。"]


def test_the_password_change_form_names_its_fields(iwakuni_staff):
    form = PortalPasswordChangeForm(iwakuni_staff, data={})
    assert not form.is_valid()
    assert form.errors["old_password"] == [f"{form['old_password'].label}を入力してください。"]
    assert form.errors["new_password1"] == [f"{form['new_password1'].label}を入力してください。"]


def test_meeting_page_messages_name_their_fields(client_for, iwakuni_staff):
    data = meeting_form_data(title="", date="2022-02-30", kind="")
    html = client_for(iwakuni_staff).post(reverse("meetings:create"), data).content.decode()
    texts = [text for _, text in error_summary(html)]
    assert "会議名を入力してください。" in texts
    assert "開催日は正しい日付で入力してください。" in texts
    assert "種別を選んでください。" in texts
    assert "このフィールドは必須です" not in html


def test_training_page_messages_name_their_fields(client_for, iwakuni_staff):
    data = session_post_data(title="", start_date="あした")
    response = client_for(iwakuni_staff).post(reverse("training:session_create"), data)
    texts = [text for _, text in error_summary(response.content.decode())]
    assert "研修名を入力してください。" in texts
    assert "開始日は正しい日付で入力してください。" in texts
    assert not TrainingSession.objects.exists()


# --- the summary ----------------------------------------------------------------------------------


def test_an_action_row_error_far_down_is_summarised_at_the_top(client_for, iwakuni_staff):
    data = meeting_form_data(actions=[{**ACTION_ROW, "responsible": ""}])
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert error_summary(html) == [
        ("#id_actions-0-responsible", "対応事項 1行目：担当機関を入力してください。")
    ]
    assert html.index("data-error-summary") < html.index('id="meeting-form"')  # above the form
    _, attrs = control(html, "id_actions-0-responsible")
    assert attrs["aria-invalid"] == "true"
    assert text_of(html, attrs["aria-describedby"]) == "担当機関を入力してください。"
    assert _title(html).startswith("エラー 1件 – 会議の登録")
    assert not Meeting.objects.exists()


def test_the_title_counts_every_error_of_the_page(client_for, iwakuni_staff):
    data = meeting_form_data(
        title="", actions=[{**ACTION_ROW, "responsible": ""}, {**ACTION_ROW, "description": ""}]
    )
    html = client_for(iwakuni_staff).post(reverse("meetings:create"), data).content.decode()
    entries = error_summary(html)
    assert [href for href, _ in entries] == [
        "#id_title",
        "#id_actions-0-responsible",
        "#id_actions-1-description",
    ]
    assert _title(html).startswith(f"エラー {len(entries)}件 – ")
    assert f"入力内容を確認してください（{len(entries)}件）" in html


def test_a_page_without_errors_has_no_summary_and_a_plain_title(client_for, iwakuni_staff):
    html = client_for(iwakuni_staff).get(reverse("meetings:create")).content.decode()
    assert error_summary(html) == [] and "data-error-summary" not in html
    assert _title(html).startswith("会議の登録｜")


def test_a_formset_error_about_the_whole_table_links_to_the_form(client_for, iwakuni_staff):
    meeting = MeetingFactory()
    other = ActionItemFactory()  # another meeting's row, posted as if it were this meeting's
    data = meeting_form_data(meeting=meeting, actions=[ACTION_ROW])
    data["actions-0-id"] = str(other.pk)
    html = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[meeting.pk]), data).content.decode()
    assert ("#meeting-form", f"対応事項：{FOREIGN_ROW_MESSAGE}") in error_summary(html)


def test_a_non_field_error_links_to_the_form(db, client):
    response = client.post(reverse("accounts:login"), {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert error_summary(html) == [("#login-form", "利用者名またはパスワードが正しくありません。")]
    assert html.count("利用者名またはパスワードが正しくありません。") == 1  # not again above the fields
    assert _title(html).startswith("エラー 1件 – ログイン")


def test_the_tag_links_non_field_errors_to_the_named_form():
    form = UnlockForm({})
    assert not form.is_valid()
    html = Template('{% error_summary form form_id="unlock" %}').render(Context({"form": form}))
    assert error_summary(html) == [("#unlock", "解除する対象を一つ指定してください。")]
    assert 'tabindex="-1"' in html and 'role="alert"' in html


def test_crispy_leaves_non_field_errors_to_the_summary_only_where_there_is_one():
    alone = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": UnlockForm({})})
    )
    assert alone.count("解除する対象を一つ指定してください。") == 1
    both = Template("{% load crispy_forms_tags %}{% error_summary form %}{{ form|crispy }}").render(
        Context({"form": UnlockForm({})})
    )
    assert both.count("解除する対象を一つ指定してください。") == 1


def test_summaries_on_other_apps_pages(client_for, iwakuni_staff):
    html = (
        client_for(iwakuni_staff)
        .post(reverse("training:session_create"), session_post_data(hours="-1", region=""))
        .content.decode()
    )
    # staff pick one of their regions: the blank 圏域 is the second error, in page order
    entries = error_summary(html)
    assert [href for href, _ in entries] == ["#id_hours", "#id_region"]
    assert entries[1][1].startswith("圏域を選んでください")
    assert _title(html).startswith("エラー 2件 – 研修の登録")

    html = client_for(iwakuni_staff).post(reverse("reminders:settings"), {"lead_days": ""}).content.decode()
    assert ("#id_lead_days", "日数を入力してください。") in error_summary(html)


# --- too long: refused with the limit, never cut -------------------------------------------------------


def test_a_10000_character_meeting_title_is_refused_with_the_limit(client_for, iwakuni_staff):
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), meeting_form_data(title=LONG))
    html = response.content.decode()
    assert ("#id_title", "会議名は200文字以内で入力してください（現在 10000 文字）。") in error_summary(html)
    assert control(html, "id_title")[1]["maxlength"] == "200"  # the input still says its limit
    assert not Meeting.objects.exists()


def test_a_too_long_agenda_title_and_training_title_are_refused(client_for, iwakuni_staff):
    data = meeting_form_data(agenda="", agenda_items=[{"position": 1, "title": "い" * 201}])
    html = client_for(iwakuni_staff).post(reverse("meetings:create"), data).content.decode()
    assert "議題 1行目：議題は200文字以内で入力してください（現在 201 文字）。" in [
        t for _, t in error_summary(html)
    ]
    assert not AgendaItem.objects.exists()

    html = (
        client_for(iwakuni_staff)
        .post(reverse("training:session_create"), session_post_data(title=LONG))
        .content.decode()
    )
    assert ("#id_title", "研修名は200文字以内で入力してください（現在 10000 文字）。") in error_summary(html)
    assert not TrainingSession.objects.exists()


# --- 「* は必須項目です」 ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["meetings:create", "training:session_create", "accounts:password_change"])
def test_forms_with_required_fields_explain_the_mark_once(client_for, iwakuni_staff, url):
    html = client_for(iwakuni_staff).get(reverse(url)).content.decode()
    assert html.count("は必須項目です。") == 1
    assert 'class="asteriskField"' in html


def test_the_login_form_explains_the_mark(db, client):
    assert client.get(reverse("accounts:login")).content.decode().count("は必須項目です。") == 1


class _Optional(PortalForm):
    note = forms.CharField(label="備考", required=False)


class _HiddenLabels(PortalForm):
    name = forms.CharField(label="名前")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_show_labels = False


def test_no_note_where_no_mark_is_shown():
    render = Template("{% required_note form %}").render
    assert render(Context({"form": _Optional()})) == ""
    assert render(Context({"form": _HiddenLabels()})) == ""  # table rows: the column headers name them
    assert "は必須項目です。" in render(Context({"form": _Sample()}))
