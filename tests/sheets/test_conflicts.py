"""The sheet's header and every row of parts 2-6 carry a version: a stale save is refused and shown."""

import pytest

from core.forms import FOREIGN_ROW_MESSAGE
from core.models import ChangeRecord
from sheets.models import (
    Challenge,
    ChallengeRole,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    ScheduleEntry,
    Strength,
)
from tests.factories import Role, make_user
from tests.sheets.helpers import formset_post_data

PART_MODELS = (InitiativeHeading, HistoryEntry, Strength, Challenge, ChallengeRole, ScheduleEntry)


@pytest.fixture
def colleague(reference_data):
    return make_user("official-2", Role.PREFECTURE)


def _rows():
    return [list(model.objects.order_by("pk").values()) for model in PART_MODELS]


def test_a_stale_header_save_is_refused(loaded, official, colleague, client_for):
    url = "/sheets/2022/edit/header/"
    a, b = client_for(official), client_for(colleague)
    data_a = formset_post_data(a.get(url))
    data_b = formset_post_data(b.get(url))
    data_a["title"] = "Aさんの表題"
    assert a.post(url, data_a).status_code == 302
    data_b["title"] = "Bさんの古い画面の表題"
    data_b["overview"] = "Bの概要"
    response = b.post(url, data_b)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="conflict"' in page and "保存しませんでした" in page
    assert [(r.label, r.theirs, r.yours) for r in response.context["conflict_rows"]] == [
        ("表題", "Aさんの表題", "Bさんの古い画面の表題")
    ]
    edition = Edition.objects.get(pk=loaded.pk)
    assert edition.title == "Aさんの表題" and edition.overview != "Bの概要"
    # Saving the shown form again is a deliberate overwrite.
    again = formset_post_data(response)
    assert again["version"] == str(edition.version)
    assert b.post(url, again).status_code == 302
    assert Edition.objects.get(pk=loaded.pk).title == "Bさんの古い画面の表題"


def test_a_stale_part_row_is_refused_and_nothing_of_the_part_is_saved(
    loaded, official, colleague, client_for
):
    url = "/sheets/2022/edit/part5/"
    a, b = client_for(official), client_for(colleague)
    data_a = formset_post_data(a.get(url))
    data_b = formset_post_data(b.get(url))
    data_a["strengths-0-text"] = "Aさんが直した強み"
    assert a.post(url, data_a).status_code == 302
    before = _rows()
    records = ChangeRecord.objects.count()

    data_b["strengths-0-text"] = "Bさんの古い画面の強み"
    data_b["challenges-0-title"] = "Bさんが同時に直した課題"  # another formset of the same page
    response = b.post(url, data_b)
    assert response.status_code == 200
    rows = response.context["conflict_rows"]
    assert [(r.theirs, r.yours) for r in rows] == [("Aさんが直した強み", "Bさんの古い画面の強み")]
    assert _rows() == before and ChangeRecord.objects.count() == records
    assert Strength.objects.filter(text="Aさんが直した強み").exists()


def test_a_tampered_row_id_of_another_edition_is_refused(loaded, official, client_for):
    other = Edition.objects.create(prefecture=loaded.prefecture, fiscal_year=2030, title="別の年度")
    foreign = ScheduleEntry.objects.create(
        edition=other, order=1, period="4月", item="別", content="別の年度の行"
    )
    client = client_for(official)
    url = "/sheets/2022/edit/part6/"
    data = formset_post_data(client.get(url))
    data["schedule-0-id"] = foreign.pk
    data["schedule-0-content"] = "書き換えようとした"
    before = _rows()
    response = client.post(url, data)
    assert response.status_code == 400
    assert FOREIGN_ROW_MESSAGE in response.content.decode()
    assert _rows() == before
    foreign.refresh_from_db()
    assert foreign.content == "別の年度の行"
