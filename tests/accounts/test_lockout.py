"""Point 2: five failed sign-ins lock the user name from that address; an official can unlock."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD


def fail(client, username, times, ip="10.0.0.5"):
    responses = []
    for _ in range(times):
        responses.append(
            client.post(
                "/accounts/login/", {"username": username, "password": "not-the-password"}, REMOTE_ADDR=ip
            )
        )
    return responses


def age_failures(seconds):
    """Move every counted failure `seconds` into the past (the limits compare with their times)."""
    past = timezone.now() - timedelta(seconds=seconds)
    QuerySet.update(AccessFailureLog.objects.all(), attempt_time=past)
    QuerySet.update(AccessAttempt.objects.all(), attempt_time=past)


def sign_in(client, username, ip="10.0.0.5"):
    return client.post(
        "/accounts/login/", {"username": username, "password": DEFAULT_PASSWORD}, REMOTE_ADDR=ip
    )


def test_settings_match_the_policy():
    from django.conf import settings

    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_failures_do_not_lock(client, iwakuni_staff):
    responses = fail(client, "iwakuni-staff", 4)
    assert all(r.status_code == 200 for r in responses)
    assert "利用者名またはパスワードが正しくありません" in responses[-1].content.decode()
    assert sign_in(client, "iwakuni-staff").status_code == 302


def test_the_fifth_failure_locks_with_a_japanese_page(client, iwakuni_staff):
    responses = fail(client, "iwakuni-staff", 5)
    last = responses[-1]
    assert last.status_code == 429
    html = last.content.decode()
    assert "ログインが一時的に制限されています" in html
    assert "5回" in html and "30分間" in html


def test_a_locked_user_cannot_sign_in_even_with_the_right_password(client, iwakuni_staff):
    fail(client, "iwakuni-staff", 5)
    response = sign_in(client, "iwakuni-staff")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_name_and_address(client, iwakuni_staff, hagi_staff):
    fail(client, "iwakuni-staff", 5)
    age_failures(seconds=3)  # past the user name's first delay (2 s), still within the pair's lock
    assert sign_in(client, "iwakuni-staff", ip="10.0.0.99").status_code == 302  # another address
    client.logout()
    assert sign_in(client, "hagi-staff").status_code == 302  # another user, same address


def test_the_lock_ends_after_the_cool_off(client, iwakuni_staff):
    fail(client, "iwakuni-staff", 5)
    age_failures(seconds=31 * 60)
    assert sign_in(client, "iwakuni-staff").status_code == 302


def test_failures_are_in_the_audit_log(client, iwakuni_staff):
    fail(client, "iwakuni-staff", 5)
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE, username="iwakuni-staff")
    assert events.count() == 5
    assert events.filter(detail__locked_out=True).count() == 1


@pytest.mark.parametrize("persona", ["iwakuni_staff", "viewer"])
def test_only_officials_may_open_the_unlock_page(client_for, persona, request):
    assert client_for(request.getfixturevalue(persona)).get("/accounts/locked/").status_code == 403


def test_an_official_sees_and_lifts_a_lock(client, client_for, official, iwakuni_staff):
    from django.test import Client

    attacker = Client()
    fail(attacker, "iwakuni-staff", 5)
    admin = client_for(official)
    page = admin.get("/accounts/locked/")
    html = page.content.decode()
    assert "iwakuni-staff" in html and "10.0.0.5" in html
    attempt = AccessAttempt.objects.get(username="iwakuni-staff")
    response = admin.post("/accounts/locked/", {"attempt": attempt.pk})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="iwakuni-staff").exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_UNLOCK)
    assert event.user == official and event.detail["username"] == "iwakuni-staff"
    assert sign_in(attacker, "iwakuni-staff").status_code == 302


def test_unlock_with_a_bad_or_unknown_id_changes_nothing(client_for, official, iwakuni_staff):
    from django.test import Client

    fail(Client(), "iwakuni-staff", 5)
    admin = client_for(official)
    for value in ["abc", "999999", "'; DROP TABLE axes_accessattempt; --", ""]:
        response = admin.post("/accounts/locked/", {"attempt": value}, follow=True)
        assert "見つかりません" in response.content.decode()
    assert AccessAttempt.objects.filter(username="iwakuni-staff").exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_UNLOCK).exists()
