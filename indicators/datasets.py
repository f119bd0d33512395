"""Which data set a figure belongs to, and whether it may change now (issue #17).

Every write of a figure — an observation (by form, import or the 協議の場 page), a deletion, an
import's undo, a region's peer-support figures — calls `ensure_editable` inside its transaction
before it changes anything. Meetings, cases, follow-ups and action items are never locked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

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
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins above
        rows = rows.select_for_update(of=("self",))
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


def _day(moment) -> str:
    return fiscal.wareki_date(timezone.localtime(moment).date()) if moment else ""


def locked_message(data_set: DataSet) -> str:
    name = str(data_set)
    if data_set.state == DataSet.State.APPROVED:
        when = _day(data_set.approved_at)
        return (
            f"{name}のデータは{when}に{_who(data_set.approved_by)}さんが承認したため変更できません。"
            "変更が必要なときは、県の担当者がデータセットの画面で理由を添えて「承認を取り消して再開する」を"
            "行ってください。"
        )
    when = _day(data_set.submitted_at)
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


def locked_sets(keys, *, for_update: bool = False) -> dict[DataSetKey, DataSet]:
    """Of `keys`, the data sets that are 提出済 or 承認済, by key (one query).

    `for_update`: the stored rows of those keys are locked whatever their state, as `ensure_editable`
    locks one, so that a set cannot be submitted or approved while the caller's write goes in."""
    keys = set(keys)
    if not keys:
        return {}
    rows = DataSet.objects.filter(
        prefecture_id__in={k.prefecture_id for k in keys}, fiscal_year__in={k.fiscal_year for k in keys}
    ).select_related("approved_by", "submitted_by", "region")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    found = {DataSetKey(r.prefecture_id, r.scope, r.region_id, r.fiscal_year): r for r in rows}
    return {key: row for key, row in found.items() if key in keys and row.is_locked}


def locked_row_errors(checked_rows, *, prefecture, for_update: bool = False) -> list:
    """The import's check (at the preview and again when it is confirmed): one error per locked data
    set that rows of the file would change, naming those rows; any error refuses the whole file."""
    from indicators.importing import RowError

    lines: dict[DataSetKey, list[int]] = {}
    for row in checked_rows:
        if row.area.is_reference:  # 全国 and other prefectures: published figures, no data sets
            continue
        key = key_for(
            prefecture=prefecture,
            fiscal_year=row.period.fiscal_year,
            region=row.area.region,
            municipality=row.area.municipality,
        )
        lines.setdefault(key, []).append(row.line)
    locked = locked_sets(lines, for_update=for_update)
    return [
        RowError(min(lines[key]), "", f"{'・'.join(str(n) for n in lines[key])}行目: {locked_message(row)}")
        for key, row in sorted(locked.items(), key=lambda item: min(lines[item[0]]))
    ]


# --- the pages' addresses: a region's code, or "prefecture" / "municipalities" -------------------

# The 年度 a data set can be submitted for: the portal's era (as plans and targets) to the coming one.
FIRST_YEAR = 2000


def years(today=None) -> range:
    return range(FIRST_YEAR, fiscal.fiscal_year_of(today or timezone.localdate()) + 2)


PREFECTURE_CODE = "prefecture"
MUNICIPALITIES_CODE = "municipalities"


def area_code(*, scope: str, region=None) -> str:
    """How a data set is named in its page's address: the region's code, or the scope's."""
    if scope == DataSetScope.REGION:
        return region.code
    return MUNICIPALITIES_CODE if scope == DataSetScope.MUNICIPALITIES else PREFECTURE_CODE


def key_from_code(*, prefecture, code: str, fiscal_year: int):
    """(key, region) of the address's data set, or None when the code names no area of `prefecture`."""
    from regions.models import Region

    if code == PREFECTURE_CODE:
        return DataSetKey(prefecture.pk, DataSetScope.PREFECTURE, None, fiscal_year), None
    if code == MUNICIPALITIES_CODE:
        return DataSetKey(prefecture.pk, DataSetScope.MUNICIPALITIES, None, fiscal_year), None
    if not (code.isascii() and code.isdigit() and len(code) <= 10):
        return None
    region = Region.objects.filter(prefecture=prefecture, code=code).first()
    if region is None:
        return None
    return DataSetKey(prefecture.pk, DataSetScope.REGION, region.pk, fiscal_year), region
