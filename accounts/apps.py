from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "利用者・権限"

    def ready(self):
        # After django-axes' and core's receivers (INSTALLED_APPS order): the failure is counted
        # by then, so a lock it starts can be recorded in the audit log.
        from django.contrib.auth import signals

        from accounts import lockout

        signals.user_login_failed.connect(lockout.on_login_failed, dispatch_uid="accounts.lockout.failed")
