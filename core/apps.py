from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共通"

    def ready(self):
        # Django's auth signals are the sanctioned hook for recording sign-ins in the audit log.
        from django.contrib.auth import signals

        from core import audit

        signals.user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="core.audit.logged_in")
        signals.user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="core.audit.logged_out")
        signals.user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="core.audit.login_failed")
