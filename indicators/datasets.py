"""Which data set a figure belongs to, and whether it may change now (issue #17).

Every write of a figure — an observation (by form, import or the 協議の場 page), a deletion, an
import's undo, a region's peer-support figures — calls `ensure_editable` inside its transaction
before it changes anything. Meetings, cases, follow-ups and action items are never locked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core import fiscal
from indicators.models import DataSet, DataSetScope


@dataclass(frozen=True)
class DataSetKey:
    prefecture_id: int
    scope: str
    region_id: int | None
    fiscal_year: int

    def lookup(self) -> dict:
        return {
            "prefecture_id": self.prefecture_id,
            "scope": self.scope,
            "region_id": self.region_id,
            "fiscal_year": self.fiscal_year,
        }


def key_for(*, prefecture, fiscal_year: int, region=None, municipality=None) -> DataSetKey:
    """The data set of a figure of this area and 年度: a region's own, or the prefecture's
    prefecture-level or municipality-level set."""
    prefecture_id = getattr(prefecture, "pk", prefecture)
    if region is not None:
        return DataSetKey(prefecture_id, DataSetScope.REGION, getattr(region, "pk", region), fiscal_year)
    scope = DataSetScope.MUNICIPALITIES if municipality is not None else DataSetScope.PREFECTURE
    return DataSetKey(prefecture_id, scope, None, fiscal_year)


def key_of_observation(observation) -> DataSetKey:
    return key_for(
        prefecture=observation.prefecture_id,
        fiscal_year=observation.fiscal_year,
        region=observation.region_id,
        municipality=observation.municipality_id,
    )


def find(key: DataSetKey, *, for_update: bool = False) -> DataSet | None:
    rows = DataSet.objects.filter(**key.lookup()).select_related("approved_by", "submitted_by", "region")
    if for_update:
        rows = rows.select_for_update()
    return rows.first()


class DataSetLocked(ValidationError):
    """A write into a submitted or approved data set; the message says who and how to unlock."""

    def __init__(self, data_set: DataSet):
        self.data_set = data_set
        super().__init__(locked_message(data_set), code="data_set_locked")


def _who(user) -> str:
    if user is None:
        return "（削除された利用者）"
    return user.get_full_name() or user.get_username()


def locked_message(data_set: DataSet) -> str:
    name = str(data_set)
    if data_set.state == DataSet.State.APPROVED:
        when = fiscal.wareki_date(data_set.approved_at.date()) if data_set.approved_at else ""
        return (
            f"{name}のデータは{when}に{_who(data_set.approved_by)}さんが承認したため変更できません。"
            "変更が必要なときは、県の担当者がデータセットの画面で理由を添えて「承認を取り消して再開する」を"
            "行ってください。"
        )
    when = fiscal.wareki_date(data_set.submitted_at.date()) if data_set.submitted_at else ""
    return (
        f"{name}のデータは{when}に{_who(data_set.submitted_by)}さんが提出したため、確認が終わるまで変更"
        "できません。変更が必要なときは、提出者が提出を取り下げるか、県の担当者が理由を添えて差し戻してください。"
    )


def ensure_editable(*, prefecture, fiscal_year: int, region=None, municipality=None) -> None:
    """Raise DataSetLocked when the figure's data set is 提出済 or 承認済. Call inside the write's
    transaction: the data set row is locked (FOR UPDATE) so an approval cannot slip in between."""
    data_set = find(
        key_for(prefecture=prefecture, fiscal_year=fiscal_year, region=region, municipality=municipality),
        for_update=True,
    )
    if data_set is not None and data_set.is_locked:
        raise DataSetLocked(data_set)


def ensure_observation_editable(observation) -> None:
    data_set = find(key_of_observation(observation), for_update=True)
    if data_set is not None and data_set.is_locked:
        raise DataSetLocked(data_set)


# --- reading: which figures are approved (the sheet, the dashboard, the completeness page) ---------


def data_sets_by_key(*, prefecture, fiscal_years) -> dict[DataSetKey, DataSet]:
    """The stored data sets of those 年度, by key, in one query (a key with no row is 入力中)."""
    rows = DataSet.objects.filter(prefecture=prefecture, fiscal_year__in=set(fiscal_years)).select_related(
        "region", "approved_by", "submitted_by"
    )
    return {DataSetKey(row.prefecture_id, row.scope, row.region_id, row.fiscal_year): row for row in rows}


def unapproved(observations, *, prefecture) -> list:
    """The observations whose data set is not 承認済 (one query for all of them)."""
    observations = list(observations)
    sets = data_sets_by_key(prefecture=prefecture, fiscal_years={o.fiscal_year for o in observations})
    approved = {key for key, row in sets.items() if row.state == DataSet.State.APPROVED}
    return [o for o in observations if key_of_observation(o) not in approved]
