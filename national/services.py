"""Writes of the national comparison: a user's own peer prefectures."""

from __future__ import annotations

from django.db import transaction

from national.models import ComparisonPeers
from regions.models import Prefecture


def peers_for(user) -> list:
    """The user's remembered peer prefectures in 団体コード order (one query; none saved: [])."""
    chosen = ComparisonPeers.prefectures.through.objects.filter(comparisonpeers__user=user)
    return list(Prefecture.objects.filter(pk__in=chosen.values("prefecture_id")).order_by("code"))


@transaction.atomic
def peers_save(*, by, prefectures) -> ComparisonPeers:
    """Remember `prefectures` as `by`'s peers (the form checks the limit of five; checked again here).

    No version and no change history: the row is a personal preference only its owner reads and edits,
    like a list filter remembered for the user, not a record others rely on."""
    prefectures = list(prefectures)
    if len(prefectures) > ComparisonPeers.MAX_PEERS:
        raise ValueError(f"比べる都道府県は{ComparisonPeers.MAX_PEERS}つまでです。")
    peers, _ = ComparisonPeers.objects.select_for_update().get_or_create(user=by)
    peers.prefectures.set(prefectures)
    peers.save(update_fields=["updated_at"])
    return peers
