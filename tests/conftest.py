"""Shared fixtures: Yamaguchi's reference data and one persona per role.

Personas (as healthchecks' test base): `official` (prefecture), `iwakuni_staff` (岩国健康福祉センター,
region 3501 岩国), `hagi_staff` (萩健康福祉センター, region 3508 萩: the "other region"), `viewer`.
"""

import io
import os
import shutil

import pytest
from django.core.management import call_command

from accounts.roles import is_prefecture
from tests.factories import DEFAULT_PASSWORD, Role, make_user
from tests.otp import current_token, mark_otp_checked, mark_otp_verified, totp_device


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts from empty caches: the database is rolled back between tests, and with it
    the data versions (core.versions) that the dashboard's cache entries are keyed on and the rows
    the search's planner statistics (core.search) were read from."""
    from django.core.cache import cache

    from core import search

    cache.clear()
    search.forget_statistics()


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def sheet(reference_data):
    """Yamaguchi's indicators, plans, targets and R4 sheet values, loaded as `make run` does
    (the indicators and dashboard tests read them)."""
    call_command("load_sheet", stdout=io.StringIO())


@pytest.fixture
def official(reference_data):
    return make_user("official", Role.PREFECTURE)


@pytest.fixture
def iwakuni_staff(reference_data):
    return make_user("iwakuni-staff", Role.HEALTH_CENTRE, health_centre="iwakuni")


@pytest.fixture
def hagi_staff(reference_data):
    return make_user("hagi-staff", Role.HEALTH_CENTRE, health_centre="hagi")


@pytest.fixture
def viewer(reference_data):
    return make_user("viewer", Role.VIEWER)


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as that user (officials also past TOTP)."""

    def sign_in(user):
        client.force_login(user)
        if is_prefecture(user):
            mark_otp_verified(client, user)
        else:
            mark_otp_checked(client, user)
        return client

    return sign_in


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


# --- Browser tests: real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.
# Playwright never downloads a browser here; it launches the system Chromium by path.

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail(
            "Chromium が見つかりません: scripts/system-deps.sh --test で apt-get install chromium してください"
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def login(live_server, password):
    """login(page, user) signs in through the real login form (officials then enter a TOTP token)."""

    def sign_in(page, user):
        device = totp_device(user) if is_prefecture(user) else None
        if device is not None:  # a token may be used once: let each sign-in in a test use the current one
            type(device).objects.filter(pk=device.pk).update(last_t=-1)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("利用者名").fill(user.username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        if device is not None:
            page.wait_for_url("**/accounts/otp/verify/**")
            page.get_by_label("確認コード").fill(current_token(device))
            page.get_by_role("button", name="確認する").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return sign_in
