from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditedWriteError(RuntimeError):
    """Raised when code tries a bulk write that would bypass the audit trail."""


class AuditedQuerySet(models.QuerySet):
    """A QuerySet whose bulk update()/delete() refuse to run.

    `QuerySet.update()` and `QuerySet.delete()` change rows without loading them, so no service
    records who changed what. Models whose changes must be traceable use this (directly or mixed
    into their own QuerySet: `class MeetingQuerySet(AuditedQuerySet, RegionScopedQuerySet)`); their
    services load each instance, change it, `save()` it and record history with core.history in
    the same transaction. The audit records themselves use it too: they are append-only.
    """

    def update(self, **kwargs):
        raise AuditedWriteError(
            f"{self.model._meta.label} は監査対象のため QuerySet.update() は使えません。"
            "サービス関数でインスタンスを保存し、core.history で変更履歴を記録してください。"
        )

    def delete(self):
        raise AuditedWriteError(
            f"{self.model._meta.label} は監査対象のため QuerySet.delete() は使えません。"
            "サービス関数で1件ずつ削除し、core.history で変更履歴を記録してください。"
        )

    def _purge(self) -> int:
        """Physically delete these rows, bypassing the guard: only for retention (purge_audit_log)."""
        deleted, _ = models.QuerySet.delete(self)
        return deleted


class ChangeRecordQuerySet(AuditedQuerySet):
    def for_object(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk)
        )

    def newest_first(self):
        return self.order_by("-at", "-pk")


class ChangeRecord(models.Model):
    """One create / change / delete / restore of a portal record: who, when, which fields, old and new.

    Written by the apps' service functions (never by signals), shown on each record's history page,
    and never edited or deleted through the portal.
    """

    class Action(models.TextChoices):
        CREATE = "create", "作成"
        UPDATE = "update", "変更"
        DELETE = "delete", "削除"
        RESTORE = "restore", "復元"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="対象の種類")
    object_id = models.CharField("対象ID", max_length=64)
    object_repr = models.CharField("対象", max_length=300)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    changes = models.JSONField("変更内容", default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="操作者"
    )
    username = models.CharField("操作者名", max_length=150)
    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "変更履歴"
        verbose_name_plural = "変更履歴"
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"


class AuditEventQuerySet(AuditedQuerySet):
    def newest_first(self):
        return self.order_by("-at", "-pk")

    def older_than(self, cutoff):
        return self.filter(at__lt=cutoff)


class AuditEvent(models.Model):
    """One security-relevant event: a sign-in, a read of a sensitive record, a download, a change of rights.

    The access log the MHLW guideline (医療情報システムの安全管理に関するガイドライン) asks for. Written
    through core.audit only, shown to prefecture officials at /audit/ next to ChangeRecord (data
    changes), never edited or deleted through the portal; rows older than AUDIT_RETENTION_DAYS are
    removed by `manage.py purge_audit_log`.
    """

    class Kind(models.TextChoices):
        LOGIN_SUCCESS = "login_success", "ログイン成功"
        LOGIN_FAILURE = "login_failure", "ログイン失敗"
        LOGOUT = "logout", "ログアウト"
        OTP_SUCCESS = "otp_success", "二段階認証 成功"
        OTP_FAILURE = "otp_failure", "二段階認証 失敗"
        OTP_CHANGE = "otp_change", "二段階認証の設定変更"
        RECORD_VIEW = "record_view", "記録の閲覧"
        DOWNLOAD = "download", "エクスポート・ダウンロード"
        PERMISSION_CHANGE = "permission_change", "権限の変更"
        ACCOUNT_UNLOCK = "account_unlock", "ロック解除"
        LOGIN_LOCKOUT = "login_lockout", "ログインのロック"
        ADMIN_CHANGE = "admin_change", "管理画面での変更"
        AUDIT_PURGE = "audit_purge", "保存期間を過ぎた監査ログの削除"
        DATA_SET = "data_set", "データセットの提出・承認"

    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="利用者",
    )
    username = models.CharField("利用者名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IPアドレス", null=True, blank=True)
    kind = models.CharField("種類", max_length=20, choices=Kind.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name="対象の種類"
    )
    object_id = models.CharField("対象ID", max_length=64, blank=True)
    object_repr = models.CharField("対象", max_length=300, blank=True)
    detail = models.JSONField("詳細", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        indexes = [models.Index(fields=["username", "-at"]), models.Index(fields=["kind", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()} {self.object_repr}"


class DataVersion(models.Model):
    """A counter per group of tables, raised in the same transaction as every write to them.

    Caches of what is computed from those tables (the dashboard) are keyed on it, so they are never
    served after the data changed — in any worker process. See core.versions.
    """

    name = models.CharField("名前", max_length=60, primary_key=True)
    number = models.PositiveBigIntegerField("版", default=0)

    class Meta:
        verbose_name = "データの版"
        verbose_name_plural = "データの版"

    def __str__(self):
        return f"{self.name} v{self.number}"
