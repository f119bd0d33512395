"""Issue #13: password spraying locks the address; failures on one user name slow it down, never lock it."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from accounts import lockout
from core.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD

SPRAYER = "10.0.0.7"


def attempt(client, username, password="not-the-password", ip=SPRAYER):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def age_failures(seconds):
    QuerySet.update(AccessFailureLog.objects.all(), attempt_time=timezone.now() - timedelta(seconds=seconds))


def add_failures(username, count, *, seconds_ago=0):
    """`count` failures for `username`, each from its own address (no pair or address lock)."""
    rows = [
        AccessFailureLog(
            username=username, ip_address=f"192.0.2.{i % 250 + 1}", user_agent="", http_accept=""
        )
        for i in range(count)
    ]
    AccessFailureLog.objects.bulk_create(rows)
    age_failures(seconds_ago)


def test_settings_state_the_thresholds(settings):
    assert settings.SIGN_IN_ADDRESS_FAILURE_LIMIT == 20
    assert timedelta(minutes=30) == settings.SIGN_IN_ADDRESS_WINDOW == settings.SIGN_IN_ADDRESS_COOLOFF
    assert settings.SIGN_IN_USERNAME_DELAY_AFTER == 5
    assert timedelta(hours=24) == settings.SIGN_IN_USERNAME_WINDOW
    assert timedelta(minutes=5) == settings.SIGN_IN_USERNAME_MAX_DELAY
    assert settings.AXES_ENABLE_ACCESS_FAILURE_LOG is True


def test_failures_across_user_names_lock_the_address(iwakuni_staff):
    sprayer = Client()
    responses = [attempt(sprayer, f"guess-{n}") for n in range(30)]
    assert [r.status_code for r in responses[:20]] == [200] * 20
    assert [r.status_code for r in responses[20:]] == [429] * 10
    html = responses[-1].content.decode()
    assert "この接続元からのログインを一時的に停止しています" in html
    assert 1500 < int(responses[-1]["Retry-After"]) <= 1800
    # Refusals are not counted: the lock runs from the 20th failure, not the last refusal.
    assert AccessFailureLog.objects.filter(ip_address=SPRAYER).count() == 20

    # The real user with the right password: refused from that address, signed in from another.
    assert attempt(Client(), "iwakuni-staff", DEFAULT_PASSWORD).status_code == 429
    other = Client()
    assert attempt(other, "iwakuni-staff", DEFAULT_PASSWORD, ip="10.0.0.8").status_code == 302
    assert "_auth_user_id" in other.session


def test_the_address_lock_and_the_refusals_are_audited(reference_data):
    sprayer = Client()
    for n in range(22):
        attempt(sprayer, f"guess-{n}")
    lock = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_LOCKOUT)
    assert lock.detail == {"scope": "address", "username": "guess-19", "ip": SPRAYER}
    refused = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE, detail__refused="address")
    assert sorted(refused.values_list("username", flat=True)) == ["guess-20", "guess-21"]


def test_nineteen_failures_do_not_lock_the_address(iwakuni_staff):
    sprayer = Client()
    for n in range(19):
        attempt(sprayer, f"guess-{n}")
    assert attempt(sprayer, "iwakuni-staff", DEFAULT_PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_LOCKOUT).exists()


def test_the_address_lock_ends_after_its_cool_off(iwakuni_staff):
    sprayer = Client()
    for n in range(20):
        attempt(sprayer, f"guess-{n}")
    assert attempt(sprayer, "iwakuni-staff", DEFAULT_PASSWORD).status_code == 429
    age_failures(31 * 60)
    assert attempt(sprayer, "iwakuni-staff", DEFAULT_PASSWORD).status_code == 302


def test_an_official_lifts_an_address_lock(client_for, official, iwakuni_staff):
    sprayer = Client()
    for n in range(20):
        attempt(sprayer, f"guess-{n}")
    admin = client_for(official)
    page = admin.get("/accounts/locked/").content.decode()
    assert f"接続元 {SPRAYER} のロックを解除" in page
    response = admin.post("/accounts/locked/", {"address": SPRAYER}, follow=True)
    assert "のロックを解除しました" in response.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_UNLOCK)
    assert event.user == official and event.detail == {"scope": "address", "ip": SPRAYER, "failures": 20}
    assert attempt(sprayer, "iwakuni-staff", DEFAULT_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "failures, seconds", [(0, 0), (4, 0), (5, 2), (6, 4), (7, 8), (12, 256), (13, 300), (500, 300)]
)
def test_the_user_name_delay_doubles_up_to_its_cap(failures, seconds):
    assert lockout.username_delay(failures) == timedelta(seconds=seconds)


def test_failures_on_one_user_name_from_many_addresses_slow_it_down(iwakuni_staff):
    for n in range(5):
        assert attempt(Client(), "iwakuni-staff", ip=f"10.1.0.{n}").status_code == 200
    response = attempt(Client(), "iwakuni-staff", DEFAULT_PASSWORD, ip="10.1.0.99")
    assert response.status_code == 429
    assert response["Retry-After"] == "2"
    html = response.content.decode()
    assert "待ち時間を設けています" in html and "アカウントはロックされていません" in html
    # Refused while waiting: not counted, so the delay does not grow by being refused.
    assert AccessFailureLog.objects.filter(username="iwakuni-staff").count() == 5

    age_failures(3)
    assert attempt(Client(), "iwakuni-staff", ip="10.1.0.5").status_code == 200  # a 6th failure
    assert attempt(Client(), "iwakuni-staff", ip="10.1.0.6")["Retry-After"] == "4"


def test_the_user_name_is_never_locked_the_real_user_only_waits(iwakuni_staff):
    add_failures("iwakuni-staff", 200, seconds_ago=10)
    response = attempt(Client(), "iwakuni-staff", DEFAULT_PASSWORD, ip="10.2.0.1")
    assert response.status_code == 429
    assert 280 <= int(response["Retry-After"]) <= 300
    age_failures(301)
    signed_in = Client()
    assert attempt(signed_in, "iwakuni-staff", DEFAULT_PASSWORD, ip="10.2.0.1").status_code == 302
    assert "_auth_user_id" in signed_in.session
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_LOCKOUT).exists()


def test_an_official_ends_a_user_names_delay(client_for, official, iwakuni_staff):
    add_failures("iwakuni-staff", 8)
    admin = client_for(official)
    assert "「iwakuni-staff」の待ち時間を解除" in admin.get("/accounts/locked/").content.decode()
    admin.post("/accounts/locked/", {"username": "iwakuni-staff"})
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_UNLOCK)
    assert event.detail == {"scope": "username", "username": "iwakuni-staff", "failures": 8}
    assert attempt(Client(), "iwakuni-staff", DEFAULT_PASSWORD, ip="10.2.0.1").status_code == 302


def test_the_admin_sign_in_obeys_the_address_lock(official):
    sprayer = Client()
    for n in range(20):
        attempt(sprayer, f"guess-{n}")
    response = sprayer.post(
        "/admin/login/", {"username": "official", "password": DEFAULT_PASSWORD}, REMOTE_ADDR=SPRAYER
    )
    assert response.status_code == 429


def test_a_pair_lock_is_audited_once(iwakuni_staff):
    attacker = Client()
    for _ in range(6):
        attempt(attacker, "iwakuni-staff")
    locks = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_LOCKOUT)
    assert [e.detail["scope"] for e in locks] == ["pair"]


def test_the_locked_page_shows_each_list_once_under_its_own_title(client_for, official, iwakuni_staff):
    add_failures("iwakuni-staff", 6)
    page = client_for(official).get("/accounts/locked/").content.decode()
    title = page[page.index("<title>") + len("<title>") : page.index("</title>")]
    assert "ロック中のアカウント" in title and "<" not in title
    for testid in ("locked-table", "locked-addresses", "delayed-usernames"):
        assert page.count(f'data-testid="{testid}"') == 1
