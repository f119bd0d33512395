"""The form of the settings page 「お知らせの設定」: the digest on or off, its address, how many days ahead."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms

from core.forms import PortalModelForm
from reminders.models import DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS, ReminderSettings


class ReminderSettingsForm(PortalModelForm):
    lead_days = forms.IntegerField(
        label="期限の何日前から知らせるか",
        min_value=0,
        max_value=MAX_LEAD_DAYS,
        initial=DEFAULT_LEAD_DAYS,
        help_text=f"0〜{MAX_LEAD_DAYS}日（既定 {DEFAULT_LEAD_DAYS}日）。期限を過ぎたものは完了するまで毎日知らせます。",
        error_messages={
            "required": "日数を入力してください。",
            "invalid": "日数は整数で入力してください。",
            "min_value": "日数は0以上にしてください。",
            "max_value": f"日数は{MAX_LEAD_DAYS}以下にしてください。",
        },
    )

    class Meta:
        model = ReminderSettings
        fields = ["digest_enabled", "email", "lead_days"]
        help_texts = {
            "email": "新しいアドレスには確認メールを送ります。確認が済むまで、お知らせは送りません。",
        }
        error_messages = {
            "email": {
                "invalid": "メールアドレスの形式が正しくありません。",
                "max_length": "メールアドレスが長すぎます。",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("digest_enabled"), Field("email"), Field("lead_days", wrapper_class="col-sm-4 px-0")
        )

    def clean(self):
        data = super().clean()
        if data.get("digest_enabled") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "お知らせメールを受け取るには、送信先メールアドレスを入力してください。")
        return data
