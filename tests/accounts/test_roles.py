"""The role module as a matrix: role × action × own / other region."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import roles
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(official, iwakuni_staff, hagi_staff, viewer):
    return {"official": official, "iwakuni": iwakuni_staff, "hagi": hagi_staff, "viewer": viewer}


@pytest.mark.parametrize(
    ("persona", "region_name", "allowed"),
    [
        ("official", "岩国", True),
        ("official", "萩", True),
        ("official", None, True),
        ("iwakuni", "岩国", True),
        ("iwakuni", "萩", False),
        ("iwakuni", None, False),
        ("hagi", "萩", True),
        ("hagi", "岩国", False),
        ("viewer", "岩国", False),
        ("viewer", None, False),
    ],
)
def test_can_edit_region(personas, persona, region_name, allowed):
    region = Region.objects.get(name=region_name) if region_name else None
    assert roles.can_edit_region(personas[persona], region) is allowed
    assert roles.can_view_case_details(personas[persona], region) is allowed


def test_staff_of_a_shared_region_both_edit_it(reference_data):
    from tests.factories import Role, make_user

    yamaguchi = make_user("y", Role.HEALTH_CENTRE, health_centre="yamaguchi")
    hofu = make_user("h", Role.HEALTH_CENTRE, health_centre="hofu")
    region = Region.objects.get(name="山口・防府")
    assert roles.can_edit_region(yamaguchi, region)
    assert roles.can_edit_region(hofu, region)


def test_restrict_scopes_a_queryset(personas):
    class Scoped(roles.RegionScopedQuerySet):
        region_field = "pk"

    queryset = Scoped(model=Region)
    assert queryset.restrict(personas["official"], "change").count() == 8
    assert list(queryset.restrict(personas["iwakuni"], "change").values_list("name", flat=True)) == ["岩国"]
    assert queryset.restrict(personas["viewer"], "change").count() == 0
    assert queryset.restrict(personas["viewer"], "view").count() == 8


@pytest.fixture
def meetings(reference_data):
    """A live meeting with a case in 岩国 (3501), one in 萩 (3508), a prefecture-wide one, a deleted one in 岩国."""
    from django.utils import timezone

    from tests.meetings.factories import CaseReviewFactory, MeetingFactory

    own = CaseReviewFactory().meeting
    other = CaseReviewFactory(
        meeting__region=Region.objects.get(code="3508"), region=Region.objects.get(code="3508")
    )
    pref = MeetingFactory(region=None, organiser_centre=None, organiser_division="disability_support")
    deleted = MeetingFactory(deleted_at=timezone.now())
    return {"own": own, "other": other.meeting, "pref": pref, "deleted": deleted}


# persona → action → the meetings restrict() returns
MEETING_RULES = {
    "official": {
        "view": {"own", "other", "pref", "deleted"},
        "view_case": {"own", "other", "pref", "deleted"},
        "change": {"own", "other", "pref"},
        "delete": {"own", "other", "pref", "deleted"},
    },
    "iwakuni": {"view": {"own", "other", "pref"}, "view_case": {"own"}, "change": {"own"}, "delete": {"own"}},
    "hagi": {
        "view": {"own", "other", "pref"},
        "view_case": {"other"},
        "change": {"other"},
        "delete": {"other"},
    },
    "viewer": {"view": {"own", "other", "pref"}, "view_case": set(), "change": set(), "delete": set()},
}


@pytest.mark.parametrize("persona", list(MEETING_RULES))
@pytest.mark.parametrize("action", roles.ACTIONS)
def test_restrict_encodes_the_soft_delete_and_case_rules(personas, meetings, persona, action):
    from meetings.models import Meeting

    pks = set(Meeting.objects.restrict(personas[persona], action).values_list("pk", flat=True))
    assert pks == {meetings[key].pk for key in MEETING_RULES[persona][action]}


@pytest.mark.parametrize("persona", list(MEETING_RULES))
def test_training_sessions_are_deleted_and_restored_by_officials_only(personas, reference_data, persona):
    from tests.training.factories import TrainingSessionFactory
    from training.models import TrainingSession

    region = Region.objects.get(code="3501")
    live, deleted = (
        TrainingSessionFactory(region=region),
        TrainingSessionFactory(region=region, is_deleted=True),
    )
    expected = {live.pk, deleted.pk} if persona == "official" else set()
    assert (
        set(TrainingSession.objects.restrict(personas[persona], "delete").values_list("pk", flat=True))
        == expected
    )


def test_an_unknown_action_is_a_programming_error(personas, meetings):
    from meetings.models import Meeting

    with pytest.raises(ValueError, match="unknown action"):
        Meeting.objects.restrict(personas["official"], "edit")
    with pytest.raises(ValueError, match="unknown action"):  # it used to return the object
        roles.get_for_user(Meeting.objects.all(), personas["official"], action="edit", pk=meetings["own"].pk)


@pytest.mark.parametrize(
    ("persona", "key", "action", "outcome"),
    [
        ("iwakuni", "own", "change", "found"),
        ("hagi", "own", "change", PermissionDenied),
        ("hagi", "own", "view", "found"),
        ("viewer", "own", "view_case", PermissionDenied),
        ("iwakuni", "deleted", "view", Http404),  # a deleted meeting does not exist for staff
        ("official", "deleted", "view", "found"),
        ("official", "deleted", "change", PermissionDenied),  # restore it first
        ("official", "missing", "view", Http404),
    ],
)
def test_get_for_user_answers_404_or_403(personas, meetings, persona, key, action, outcome):
    from meetings.models import Meeting

    pk = meetings[key].pk if key in meetings else 999999
    lookup = lambda: roles.get_for_user(Meeting.objects.all(), personas[persona], action=action, pk=pk)  # noqa: E731
    if outcome == "found":
        assert lookup().pk == pk
    else:
        with pytest.raises(outcome):
            lookup()


@pytest.mark.parametrize(("persona", "writer"), [("official", True), ("iwakuni", True), ("viewer", False)])
def test_can_write(personas, persona, writer):
    assert roles.can_write(personas[persona]) is writer


def test_a_superuser_counts_as_an_official(reference_data, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 16)
    assert roles.is_prefecture(admin)


def test_a_user_without_a_role_reads_like_a_viewer(reference_data, django_user_model):
    plain = django_user_model.objects.create_user("plain", password="x" * 16)
    assert roles.role_of(plain) == roles.Role.VIEWER
    assert not roles.can_write(plain)


def test_check_region_allows_writers_of_the_region_only(iwakuni_staff, hagi_staff, official, viewer):
    iwakuni = Region.objects.get(code="3501")
    roles.check_region(iwakuni_staff, iwakuni)
    roles.check_region(official, iwakuni)
    roles.check_region(official, None)
    for user in (hagi_staff, viewer):
        with pytest.raises(PermissionDenied, match="この圏域の記録を登録・変更する権限がありません。"):
            roles.check_region(user, iwakuni)
    with pytest.raises(PermissionDenied, match="この圏域の記録"):
        roles.check_region(iwakuni_staff, None)
    with pytest.raises(PermissionDenied, match="県全域の研修は県職員のみ"):
        roles.check_region(
            iwakuni_staff, None, prefecture_wide_message="県全域の研修は県職員のみ登録・変更できます。"
        )
