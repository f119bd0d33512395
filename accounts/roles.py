"""The one place where the portal decides who may do what.

Roles (GUIDE §2):
- prefecture official: everything, every region, targets, the sheet, accounts;
- health-centre staff: create and edit records of the region(s) their centre covers; read
  everything except another region's case details;
- viewer (partner bodies): read dashboards, sheets and meeting summaries; change nothing.

A superuser counts as a prefecture official; a signed-in user with no role reads like a viewer.
Every view, form, export and API checks through these functions — never by hiding a button.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from accounts.models import Role

__all__ = [
    "ACTIONS",
    "RegionScopedQuerySet",
    "Role",
    "can_approve_data_set",
    "can_edit_region",
    "can_enter_figures",
    "can_review_data_sets",
    "can_submit_data_set",
    "can_view_case_details",
    "can_view_data_set",
    "can_withdraw_data_set",
    "can_write",
    "check_data_set_approve",
    "check_data_set_review",
    "check_data_set_submit",
    "check_data_set_withdraw",
    "check_figures",
    "check_region",
    "editable_region_ids",
    "get_for_user",
    "health_centre_of",
    "is_prefecture",
    "prefecture_required",
    "role_of",
    "sees_small_counts",
    "small_count_region_ids",
    "writer_required",
]


def _profile(user):
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_portal_profile", False)
    if cached is not False:
        return cached
    from accounts.models import Profile

    profile = Profile.objects.select_related("health_centre").filter(user=user).first()
    user._portal_profile = profile
    return profile


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.PREFECTURE
    profile = _profile(user)
    return profile.role if profile else Role.VIEWER


def is_prefecture(user) -> bool:
    return role_of(user) == Role.PREFECTURE


def is_health_centre_staff(user) -> bool:
    return role_of(user) == Role.HEALTH_CENTRE


def health_centre_of(user):
    profile = _profile(user)
    return profile.health_centre if profile and profile.role == Role.HEALTH_CENTRE else None


def editable_region_ids(user) -> frozenset[int] | None:
    """Region ids the user may write to; None means every region (prefecture officials)."""
    role = role_of(user)
    if role == Role.PREFECTURE:
        return None
    if role == Role.HEALTH_CENTRE:
        cached = getattr(user, "_portal_region_ids", None)
        if cached is None:
            centre = health_centre_of(user)
            cached = frozenset(centre.regions.values_list("pk", flat=True)) if centre else frozenset()
            user._portal_region_ids = cached
        return cached
    return frozenset()


def _region_id(region) -> int | None:
    return region if region is None or isinstance(region, int) else region.pk


def can_write(user) -> bool:
    return role_of(user) in {Role.PREFECTURE, Role.HEALTH_CENTRE}


def can_edit_region(user, region) -> bool:
    """May the user create or change a record of `region`? (None = prefecture-wide: officials only.)"""
    ids = editable_region_ids(user)
    if ids is None:
        return True
    region_id = _region_id(region)
    return region_id is not None and region_id in ids


REGION_DENIED_MESSAGE = "この圏域の記録を登録・変更する権限がありません。"


def check_region(by, region, *, prefecture_wide_message: str = REGION_DENIED_MESSAGE) -> None:
    """The services' check: raise PermissionDenied unless `by` may write records of `region` (None = 県全域)."""
    if not can_edit_region(by, region):
        raise PermissionDenied(prefecture_wide_message if region is None else REGION_DENIED_MESSAGE)


def can_view_case_details(user, region) -> bool:
    """Case details (anonymised, but still 要配慮個人情報-adjacent) are for officials and the region's staff."""
    return can_edit_region(user, region)


def small_count_region_ids(user) -> frozenset[int] | None:
    """The regions whose small counts (indicators.suppression) `user` sees on screen; None = every region.

    Officials see every region's, a health centre's staff their own regions', viewers none: the others
    see 「＊」. Exports and PDFs never show them, to anyone (they are read as the public's).
    """
    return editable_region_ids(user)


def sees_small_counts(user, region) -> bool:
    """May `user` see on screen a count of people of `region` (or of one of its municipalities) that the
    published view hides? (`region` None: a count whose region is not known — officials only.)"""
    ids = small_count_region_ids(user)
    return ids is None or _region_id(region) in ids


# --- Figures (indicator values) and the data sets they are submitted and approved in (issue #17) -----
#
# A data set is one area × 年度: a region's figures, or the prefecture's prefecture-level or
# municipality-level figures (`region` None below). Health-centre staff enter and submit their own
# regions' sets; the prefecture-level and municipality-level ones are entered and submitted by an
# official and approved by another. Officials send back, approve and reopen; nobody approves a set
# they submitted themselves (four eyes for every set). Viewers take part in none of it.

FIGURES_DENIED_MESSAGE = "この圏域の値を登録・変更する権限がありません。"
PREFECTURE_FIGURES_MESSAGE = "県全体・市町村別の値は県職員のみ登録・変更できます。"
DATA_SET_SUBMIT_DENIED = "この圏域のデータセットを提出する権限がありません。"
PREFECTURE_DATA_SET_SUBMIT_DENIED = "県全体・市町村別のデータセットは県職員が提出します。"
DATA_SET_REVIEW_DENIED = "データセットの差し戻し・承認・再開と提出期限の設定は県職員のみ行えます。"
DATA_SET_OWN_APPROVAL = "自分が提出したデータセットは承認できません。別の県職員が確認して承認してください。"
DATA_SET_WITHDRAW_DENIED = "提出を取り下げられるのは提出した本人だけです。"


def can_enter_figures(user, *, region=None, municipality=None) -> bool:
    """May the user record or change an indicator value of this area? Officials every area; a
    health centre's staff the region-level values of their own regions (never prefecture-level or
    municipality-level ones); viewers none."""
    if is_prefecture(user):
        return True
    if municipality is not None or region is None or not is_health_centre_staff(user):
        return False
    return can_edit_region(user, region)


def check_figures(by, *, region=None, municipality=None) -> None:
    """The figure services' check: PermissionDenied unless `by` may write values of this area."""
    if not can_enter_figures(by, region=region, municipality=municipality):
        raise PermissionDenied(
            FIGURES_DENIED_MESSAGE
            if region is not None and municipality is None
            else PREFECTURE_FIGURES_MESSAGE
        )


def can_submit_data_set(user, region) -> bool:
    """A region's set: its health centre's staff (or an official); a prefecture-level or
    municipality-level set (`region` None): an official."""
    return can_write(user) and can_edit_region(user, region)


def check_data_set_submit(by, region) -> None:
    if not can_submit_data_set(by, region):
        raise PermissionDenied(
            PREFECTURE_DATA_SET_SUBMIT_DENIED if region is None else DATA_SET_SUBMIT_DENIED
        )


def can_review_data_sets(user) -> bool:
    """Sending back, approving, reopening, setting the due date: officials."""
    return is_prefecture(user)


def check_data_set_review(by) -> None:
    if not can_review_data_sets(by):
        raise PermissionDenied(DATA_SET_REVIEW_DENIED)


def _is_submitter(user, submitted_by_id) -> bool:
    return submitted_by_id is not None and submitted_by_id == getattr(user, "pk", None)


def can_approve_data_set(user, *, submitted_by_id) -> bool:
    """Officials approve, but never a set they submitted themselves."""
    return can_review_data_sets(user) and not _is_submitter(user, submitted_by_id)


def check_data_set_approve(by, *, submitted_by_id) -> None:
    check_data_set_review(by)
    if not can_approve_data_set(by, submitted_by_id=submitted_by_id):
        raise PermissionDenied(DATA_SET_OWN_APPROVAL)


def can_withdraw_data_set(user, *, submitted_by_id, region) -> bool:
    """Only the person who submitted a set takes it back, and only while they may still submit it
    (staff moved to another centre no longer can: an official sends it back instead)."""
    return _is_submitter(user, submitted_by_id) and can_submit_data_set(user, region)


def check_data_set_withdraw(by, *, submitted_by_id, region) -> None:
    if not can_withdraw_data_set(by, submitted_by_id=submitted_by_id, region=region):
        raise PermissionDenied(DATA_SET_WITHDRAW_DENIED)


def can_view_data_set(user, region) -> bool:
    """The completeness page and a set's page: officials every set, a health centre's staff their own
    regions' sets; viewers none (they read the published figures on the dashboard and the sheet)."""
    if is_prefecture(user):
        return True
    return region is not None and is_health_centre_staff(user) and can_edit_region(user, region)


ACTIONS = ("view", "view_case", "change", "delete")


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")


class RegionScopedQuerySet(models.QuerySet):
    """Scoping inside the queryset, as NetBox's `restrict(user, action)`: subclasses set `region_field`.

    The rules, for every region-scoped model:
    - "view": every signed-in user reads every region's summaries; soft-deleted rows only officials;
    - "view_case": case details only officials and staff of the row's region (never viewers, and a
      prefecture-wide row only officials);
    - "change": rows not deleted, of a region the user writes to (officials: every region);
    - "delete" (and its undo, restore): officials every row, deleted or not; others as "change", or
      nothing where the model sets `delete_by_officials_only`.
    """

    region_field = "region"
    # Training sessions are deleted by officials only; a meeting by whoever may change it.
    delete_by_officials_only = False

    def alive(self):
        """Rows not soft-deleted; models without soft delete have none (SoftDeleteQuerySet overrides)."""
        return self

    def _in_regions_of(self, user):
        ids = editable_region_ids(user)
        return self if ids is None else self.filter(**{f"{self.region_field}__in": ids})

    def restrict(self, user, action: str):
        """The rows `user` may act on by `action`; an unknown action is a programming error (ValueError)."""
        _check_action(action)
        official = is_prefecture(user)
        if action == "view":
            return self if official else self.alive()
        if action == "view_case":
            return self.restrict(user, "view")._in_regions_of(user)
        if action == "delete" and official:
            return self  # deleting, and restoring what was deleted
        if action == "delete" and self.delete_by_officials_only:
            return self.none()
        return self.alive()._in_regions_of(user)


def get_for_user(queryset, user, *, action: str, **lookup):
    """The object `lookup` finds in `queryset` if `user` may `action` it: 404 when it does not exist or
    is hidden from the user (a deleted row), 403 when it is visible but the action is not allowed."""
    _check_action(action)
    try:
        obj = queryset.restrict(user, "view").get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404("見つかりません") from exc
    if action != "view" and not queryset.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("この記録を操作する権限がありません。")
    return obj


def prefecture_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_prefecture(request.user):
            raise PermissionDenied("この操作は県職員のみ行えます。")
        return view(request, *args, **kwargs)

    return wrapper


def writer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_write(request.user):
            raise PermissionDenied("閲覧者は記録を変更できません。")
        return view(request, *args, **kwargs)

    return wrapper
