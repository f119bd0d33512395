"""全国との比較: what officials keep between visits.

National and other prefectures' values themselves are ordinary `indicators.Observation` rows under
their own `regions.Prefecture` (全国 is the Prefecture of kind NATION), so every rule of the figures
(validation, imports and their undo, locks of the portal's own approved sets) applies to them unchanged.
"""

from django.conf import settings
from django.db import models

from regions.models import Prefecture


class ComparisonPeers(models.Model):
    """The prefectures (at most five) an official compares the portal's prefecture with over time,
    remembered per user."""

    MAX_PEERS = 5

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comparison_peers",
        verbose_name="利用者",
    )
    prefectures = models.ManyToManyField(
        Prefecture, blank=True, related_name="+", verbose_name="比べる都道府県"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "比較する都道府県"
        verbose_name_plural = "比較する都道府県"

    def __str__(self):
        return f"{self.user}の比較対象"
