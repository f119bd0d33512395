from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ChangeRecordQuerySet(models.QuerySet):
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
