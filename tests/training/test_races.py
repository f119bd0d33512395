"""Two first saves of a region's peer-support programme at once (PostgreSQL): a conflict, never a 500."""

import pytest
from django.test import Client

from tests.races import at_once, postgresql_only
from tests.training.helpers import peer_post_data
from training.models import PeerSupportProgramme

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def test_simultaneous_first_saves_give_one_conflict_never_a_500(monkeypatch, iwakuni_staff):
    url = "/training/peer-support/3501/2022/edit/"

    def save(trained):
        def post():
            client = Client(raise_request_exception=False)
            client.force_login(iwakuni_staff)
            return client.post(url, peer_post_data(trained=trained))

        return post

    original = PeerSupportProgramme.full_clean
    results = at_once(monkeypatch, (PeerSupportProgramme, "full_clean"), original, save(8), save(9))

    assert sorted(r.status_code for r in results) == [200, 302], results
    conflict = next(r for r in results if r.status_code == 200)
    assert 'data-testid="conflict"' in conflict.content.decode()
    programme = PeerSupportProgramme.objects.get()
    assert programme.trained in (8, 9) and programme.version == 1
