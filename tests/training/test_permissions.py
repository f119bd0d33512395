"""Permission matrix: role × action × own / other region / prefecture-wide, enforced on the server."""

import pytest

from core.models import ChangeRecord
from tests.factories import region
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory
from tests.training.helpers import peer_post_data, session_post_data
from training.models import PeerSupportProgramme, TrainingSession

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
def test_read_pages_open_to_everyone(as_persona, persona, target):
    _, client = as_persona(persona)
    session = TrainingSessionFactory(region=_region_for(target))
    for url in [
        "/training/",
        f"/training/{session.pk}/",
        f"/training/{session.pk}/history/",
        "/training/summary/",
        "/training/peer-support/",
        "/training/export.csv",
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(("persona", "target"), MATRIX)
def test_edit_form(as_persona, persona, target):
    _, client = as_persona(persona)
    session = TrainingSessionFactory(region=_region_for(target))
    response = client.get(f"/training/{session.pk}/edit/")
    assert response.status_code == (200 if target in MAY_WRITE[persona] else 403)


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
        assert response.status_code in {200, 403}  # staff: form error; viewer: 403
        assert not created
        assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_form_only_for_writers(as_persona, persona):
    _, client = as_persona(persona)
    assert client.get("/training/new/").status_code == (403 if persona == "viewer" else 200)


@pytest.mark.parametrize(("persona", "target"), MATRIX)
def test_soft_delete_and_restore_are_officials_only(as_persona, persona, target):
    _, client = as_persona(persona)
    session = TrainingSessionFactory(region=_region_for(target))
    response = client.post(f"/training/{session.pk}/delete/")
    session.refresh_from_db()
    if persona == "official":
        assert response.status_code == 302
        assert session.is_deleted
        assert client.post(f"/training/{session.pk}/restore/").status_code == 302
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


def test_delete_requires_post(client_for, official):
    session = TrainingSessionFactory()
    assert client_for(official).get(f"/training/{session.pk}/delete/").status_code == 405


@pytest.mark.parametrize(("persona", "target"), [(p, t) for p in PERSONAS for t in ("3501", "3508")])
def test_peer_support_edit(as_persona, persona, target):
    _, client = as_persona(persona)
    url = f"/training/peer-support/{target}/2022/edit/"
    get_status = client.get(url).status_code
    post = client.post(url, peer_post_data())
    saved = PeerSupportProgramme.objects.filter(region__code=target, fiscal_year=2022).exists()
    if target in MAY_WRITE[persona]:
        assert get_status == 200
        assert post.status_code == 302
        assert saved
    else:
        assert get_status == 403
        assert post.status_code == 403
        assert not saved


@pytest.mark.parametrize("persona", PERSONAS)
def test_peer_support_pages_readable(as_persona, persona):
    _, client = as_persona(persona)
    PeerSupportProgrammeFactory()
    assert client.get("/training/peer-support/?fiscal_year=2022").status_code == 200
    assert client.get("/training/peer-support/3501/2022/").status_code == 200


def test_anonymous_is_sent_to_login(client, reference_data):
    response = client.get("/training/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
