from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from core.forms import NamedErrorsMixin, PortalForm


class OTPTokenForm(PortalForm):
    token = forms.CharField(
        label="確認コード",
        max_length=32,
        help_text="認証アプリに表示される6桁の数字、または回復コードを入力してください。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "確認コードを入力してください。"},
    )


class UnlockForm(PortalForm):
    """One of the three kinds of sign-in limit to lift: a pair (its AccessAttempt id), an address,
    or a user name's delay."""

    attempt = forms.IntegerField(widget=forms.HiddenInput, required=False)
    address = forms.GenericIPAddressField(widget=forms.HiddenInput, required=False)
    username = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)

    def clean(self):
        data = super().clean()
        given = [name for name in ("attempt", "address", "username") if data.get(name) not in (None, "")]
        if len(given) != 1:
            raise forms.ValidationError("解除する対象を一つ指定してください。")
        return data


LOGIN_FAILED = "利用者名またはパスワードが正しくありません。"


class LoginForm(NamedErrorsMixin, AuthenticationForm):
    """Django's sign-in form, refusing over-long user names before they reach authenticate().

    AuthenticationForm sets the user name's max_length on the widget only; a 10,000-character name
    would otherwise be authenticated and stored by django-axes (a 255-character column).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "利用者名"
        self.fields["password"].label = "パスワード"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # One message for every failed sign-in (a non-field error, in the page's error summary): which of
        # the two was wrong is not said. A blank field is named beside it and in the summary.
        self.error_messages = {**self.error_messages, "invalid_login": LOGIN_FAILED}

    def clean_username(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.username_field.max_length:
            raise forms.ValidationError("利用者名が長すぎます。", code="max_length")
        return username


class PortalPasswordChangeForm(NamedErrorsMixin, PasswordChangeForm):
    """Django's password change form, its messages naming the field (「現在のパスワードを入力してください。」)."""
