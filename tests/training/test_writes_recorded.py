"""Permitted writes are recorded in the history and refused ones record nothing; deleted sessions stay out of
non-officials' lists (the status of each URL for each persona is in tests/test_permissions.py)."""

import pytest

from core.models import ChangeRecord
from tests.factories import region
from tests.training.factories import TrainingSessionFactory
from tests.training.helpers import session_post_data
from training.models import TrainingSession

PERSONAS = ["official", "iwakuni_staff", "hagi_staff", "viewer"]
TARGETS = ["3501", "3508", "pref"]  # 岩国 (iwakuni's), 萩 (hagi's), 県全域

# Who may write records of which target.
MAY_WRITE = {
    "official": {"3501", "3508", "pref"},
    "iwakuni_staff": {"3501"},
    "hagi_staff": {"3508"},
    "viewer": set(),
}
MATRIX = [(persona, target) for persona in PERSONAS for target in TARGETS]


def _region_for(target):
    return None if target == "pref" else region(target)


@pytest.fixture
def as_persona(request, client_for):
    def sign_in(persona):
        user = request.getfixturevalue(persona)
        return user, client_for(user)

    return sign_in


@pytest.mark.parametrize(("persona", "target"), MATRIX)
def test_edit_post(as_persona, persona, target):
    _, client = as_persona(persona)
    session = TrainingSessionFactory(region=_region_for(target), title="元の研修名")
    region_value = "" if target == "pref" else region(target).pk
    data = session_post_data(title="変更後の研修名", region=region_value, version=session.version)
    response = client.post(f"/training/{session.pk}/edit/", data)
    session.refresh_from_db()
    if target in MAY_WRITE[persona]:
        assert response.status_code == 302
        assert session.title == "変更後の研修名"
        assert ChangeRecord.objects.for_object(session).filter(action="update").count() == 1
    else:
        assert response.status_code == 403
        assert session.title == "元の研修名"
        assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(("persona", "target"), MATRIX)
def test_create_post(as_persona, persona, target):
    _, client = as_persona(persona)
    region_value = "" if target == "pref" else region(target).pk
    response = client.post("/training/new/", session_post_data(region=region_value))
    created = TrainingSession.objects.exists()
    if target in MAY_WRITE[persona]:
        assert response.status_code == 302
        assert created
        assert ChangeRecord.objects.filter(action="create").count() == 1
    else:
        # staff: the form refuses the region (200); viewers are refused the page (403)
        assert response.status_code == (403 if persona == "viewer" else 200)
        assert not created
        assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(("persona", "target"), MATRIX)
def test_soft_delete_and_restore_are_officials_only(as_persona, persona, target):
    _, client = as_persona(persona)
    session = TrainingSessionFactory(region=_region_for(target))
    response = client.post(f"/training/{session.pk}/delete/", {"confirmed": "yes"})
    session.refresh_from_db()
    if persona == "official":
        assert response.status_code == 302
        assert session.is_deleted
        assert client.post(f"/training/{session.pk}/restore/", {"confirmed": "yes"}).status_code == 302
        session.refresh_from_db()
        assert not session.is_deleted
        actions = list(
            ChangeRecord.objects.for_object(session).order_by("pk").values_list("action", flat=True)
        )
        assert actions == ["delete", "restore"]
    else:
        assert response.status_code == 403
        assert not session.is_deleted


@pytest.mark.parametrize("persona", ["iwakuni_staff", "viewer"])
def test_deleted_sessions_hidden_from_non_officials(as_persona, persona):
    _, client = as_persona(persona)
    session = TrainingSessionFactory(is_deleted=True)
    assert client.get(f"/training/{session.pk}/").status_code == 404
    assert client.get("/training/?deleted=on").context["page_obj"].paginator.count == 0
