"""The role module as a matrix: role × action × own / other region."""

import pytest
from django.core.exceptions import PermissionDenied

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


def test_editable_by_scopes_a_queryset(personas):
    class Scoped(roles.RegionScopedQuerySet):
        region_field = "pk"

    queryset = Scoped(model=Region)
    assert queryset.editable_by(personas["official"]).count() == 8
    assert list(queryset.editable_by(personas["iwakuni"]).values_list("name", flat=True)) == ["岩国"]
    assert queryset.editable_by(personas["viewer"]).count() == 0


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
