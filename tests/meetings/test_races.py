"""Two first saves of a case's follow-ups at the same moment (PostgreSQL): one saves, one gets the conflict."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import CaseFollowUp, CaseStatus
from tests.meetings.factories import CaseReviewFactory
from tests.races import at_once, postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def test_simultaneous_first_followup_saves_give_one_conflict_never_a_500(monkeypatch, iwakuni_staff):
    case = CaseReviewFactory(status=CaseStatus.IN_COMMUNITY, discharge_month=date(2022, 4, 1))
    url = reverse("meetings:case_detail", args=[case.pk])
    version = str(case.meeting.version)

    def save(note):
        def post():
            client = Client(raise_request_exception=False)
            client.force_login(iwakuni_staff)
            data = {"version": version, "f3-status": "in_community", "f3-note": note}
            data.update({"f6-status": "", "f12-status": ""})
            return client.post(url, data)

        return post

    results = at_once(
        monkeypatch, (CaseFollowUp, "full_clean"), CaseFollowUp.full_clean, save("Aの記録"), save("Bの記録")
    )

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 302], results
    conflict = next(r for r in results if r.status_code == 200)
    assert 'data-testid="conflict"' in conflict.content.decode()
    saved = CaseFollowUp.objects.get(case=case)
    assert saved.months == 3 and saved.note in ("Aの記録", "Bの記録")
