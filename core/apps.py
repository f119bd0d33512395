from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共通"

    def ready(self):
        # Django's auth signals are the sanctioned hook for recording sign-ins in the audit log.
        from django.contrib.auth import signals
        from django.core.validators import ProhibitNullCharactersValidator

        from core import audit

        # Django's Japanese catalogue renders "Null characters are not allowed." as 「何か文字を入力して
        # ください。」, which sends the user looking for an empty field. Every form field's validator
        # reads the message from the class, so this one line fixes it everywhere.
        ProhibitNullCharactersValidator.message = (
            "使用できない制御文字（NUL）が含まれています。取り除いてから送信してください。"
        )

        signals.user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="core.audit.logged_in")
        signals.user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="core.audit.logged_out")
        signals.user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="core.audit.login_failed")
