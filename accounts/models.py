from django.conf import settings
from django.db import models

from regions.models import HealthCentre


class Role(models.TextChoices):
    PREFECTURE = "prefecture", "県職員（障害者支援課・健康増進課）"
    HEALTH_CENTRE = "health_centre", "保健所職員"
    VIEWER = "viewer", "閲覧者（関係機関）"


class Profile(models.Model):
    """A portal user's role; health-centre staff belong to exactly one health centre."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("ロール", max_length=20, choices=Role.choices, default=Role.VIEWER)
    health_centre = models.ForeignKey(
        HealthCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所属保健所",
    )

    class Meta:
        verbose_name = "利用者のロール"
        verbose_name_plural = "利用者のロール"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="health_centre", health_centre__isnull=False)
                    | ~models.Q(role="health_centre")
                ),
                name="profile_staff_has_centre",
                violation_error_message="保健所職員には所属保健所が必要です。",
            )
        ]

    def __str__(self):
        return f"{self.user.username}（{self.get_role_display()}）"
