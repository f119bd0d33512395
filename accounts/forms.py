from django import forms


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="確認コード",
        max_length=32,
        help_text="認証アプリに表示される6桁の数字、または回復コードを入力してください。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "確認コードを入力してください。"},
    )


class UnlockForm(forms.Form):
    attempt = forms.IntegerField(widget=forms.HiddenInput)
