"""What the dashboard costs a browser on the wire, measured in production mode (issue #19, 7).

The image's own steps as tests/test_production.py runs them (collectstatic with the manifest storage
into a temporary PORTAL_VAR_DIR, gunicorn with DEBUG=0 and WhiteNoise), R4 sheet data loaded, a
signed-in viewer; real Chromium at 1280×800 counts the bytes it received (CDP
Network.loadingFinished encodedDataLength: headers and the body as sent, compressed or not).

Goals: the first screen, before any chart is in view, ≤ 300 KB and no plotly.js; every chart drawn,
≤ 1.5 MB with plotly.js sent compressed. The numbers measured are in README「性能」.
"""

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import test_production as production

ROOT = Path(__file__).resolve().parents[1]
# The fixtures of the production test: the collected static files and gunicorn serving them.
image = production.image
server = production.server

FIRST_SCREEN_LIMIT = 300 * 1000
ALL_CHARTS_LIMIT = 1500 * 1000
PLOTLY = "vendor/plotly/plotly.min.js"
PLOTLY_URL = "/static/vendor/plotly/plotly.min."  # the hashed name: plotly.min.<hash>.js

SIGN_IN = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import Role
from accounts.services import portal_user_create
user = portal_user_create(username="transfer-viewer", role=Role.VIEWER, password="Transfer-Pass-8472-xq")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print("SESSION", session.session_key)
"""


def manage(image_dir: Path, *args: str) -> str:
    """manage.py in the server's environment (same settings and database as gunicorn)."""
    result = subprocess.run(
        ["python", "manage.py", *args],
        cwd=ROOT,
        env=production.runtime_env(image_dir, **production.database_url_of_this_test_run()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_collectstatic_writes_brotli_and_gzip_copies_of_plotly(image):
    hashed = production.manifest(image)[PLOTLY]
    original = (image / "static" / hashed).read_bytes()
    compressed_gzip = (image / "static" / f"{hashed}.gz").read_bytes()
    assert gzip.decompress(compressed_gzip) == original
    brotli = pytest.importorskip("brotli", reason="Brotli is a dependency (pyproject.toml)")
    compressed_br = (image / "static" / f"{hashed}.br").read_bytes()
    assert brotli.decompress(compressed_br) == original
    assert len(compressed_br) < len(original) / 4


class Wire:
    """Every response the page received, with the bytes that came over the wire for it."""

    def __init__(self, page):
        self.responses: dict[str, dict] = {}
        session = page.context.new_cdp_session(page)
        session.on("Network.responseReceived", self._response)
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")
        self.session = session

    def _response(self, event):
        response = event["response"]
        headers = {name.lower(): value for name, value in response["headers"].items()}
        self.responses[event["requestId"]] = {
            "url": response["url"],
            "encoding": headers.get("content-encoding", ""),
            "bytes": 0,
        }

    def _finished(self, event):
        if event["requestId"] in self.responses:
            self.responses[event["requestId"]]["bytes"] = event["encodedDataLength"]

    def total(self) -> int:
        return sum(response["bytes"] for response in self.responses.values())

    def of(self, fragment: str) -> list[dict]:
        return [response for response in self.responses.values() if fragment in response["url"]]

    def table(self) -> str:
        return json.dumps(sorted(self.responses.values(), key=lambda r: -r["bytes"]), indent=1)


@pytest.mark.browser
def test_dashboard_sends_plotly_only_when_a_chart_comes_into_view(server, image, browser):
    manage(image, "load_sheet")
    session_key = manage(image, "shell", "-c", SIGN_IN).split("SESSION ")[1].strip()
    base = f"http://127.0.0.1:{server.port}"
    context = browser.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 800},
        # What the TLS-terminating proxy adds in front of gunicorn (docker-compose.yml).
        extra_http_headers={"X-Forwarded-Proto": "https"},
    )
    context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))  # CSP refusals too
    try:
        wire = Wire(page)
        response = page.goto(f"{base}/indicators/")
        assert response.status == 200 and page.url == f"{base}/indicators/"
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # the observer's first callback has long run by now

        charts = page.locator(".chart[data-figure]")
        assert charts.count() >= 3
        first_screen = wire.total()
        assert wire.of(PLOTLY_URL) == [], wire.table()
        assert first_screen <= FIRST_SCREEN_LIMIT, wire.table()

        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            expect(chart).to_have_attribute("data-drawn", "yes", timeout=60_000)
        page.wait_for_load_state("networkidle")
        all_charts = wire.total()
        (plotly,) = wire.of(PLOTLY_URL)
        assert plotly["encoding"] in ("br", "gzip"), wire.table()
        assert all_charts <= ALL_CHARTS_LIMIT, wire.table()
        assert errors == []
        print(wire.table())
        print(
            f"\ntransferred: first screen {first_screen:,} bytes; all {charts.count()} charts drawn "
            f"{all_charts:,} bytes (plotly.js {plotly['bytes']:,} bytes, {plotly['encoding']})"
        )
    finally:
        context.close()
