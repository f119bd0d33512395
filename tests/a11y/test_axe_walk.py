"""Issue #19 point 5: axe-core finds no violation, of any impact, on any page for any role.

The pages come from the permission table (tests/test_permissions.py): every GET row, with its ids
filled from the same dataset (`build_dataset()`), is opened in real Chromium by each persona who may
see it, and axe-core (the `axe-playwright-python` test dependency's bundled axe.min.js) runs over the
page as it stands after its scripts have drawn it. A row answering 403 or 404 walks the error page the
persona really sees. As every URL name must have a row there, a new page is walked without a change here.

Not walked, and why:
- downloads (`.csv`, `.xlsx`, `.pdf`, `.ics`): not HTML;
- rows whose answer is a redirect (302: to the sign-in page, or away from a page the persona has
  passed, e.g. the sign-in page once signed in): the page it lands on is walked on its own row;
- rows answering 405 (POST-only URLs opened with GET: Django's empty answer) and POST rows;
- `/healthz`: plain text for monitors;
- Django's admin (`admin:*`): Django's own pages; no persona is staff, so everyone is sent to its sign-in.

`test_the_menu_links_only_walked_pages` keeps the menu and the walk together: every link of the
header a persona sees must be a page the walk opened for that persona.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from sheets import pdf as sheet_pdf
from tests.test_permissions import PERSONAS, ROWS, STUB_PDF, build_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_HTML = (".csv", ".xlsx", ".pdf", ".ics")
NOT_WALKED = {"healthz"}
SIGNED_IN_PERSONAS = [p for p in PERSONAS if p != "anonymous"]

AXE = Axe()


def walked_pages(persona: str, ids: dict) -> list[tuple[str, int]]:
    """(url, expected status) of every page the walk opens for `persona`, in table order."""
    pages = []
    for row in ROWS:
        if row.method != "GET" or row.name in NOT_WALKED or row.name.startswith("admin:"):
            continue
        if row.url.split("?")[0].endswith(NOT_HTML):
            continue
        status = row.statuses[PERSONAS.index(persona)]
        if status in (302, 405):
            continue
        url = row.url.format_map(ids)
        if url not in [u for u, _ in pages]:
            pages.append((url, status))
    return pages


def axe_violations(page) -> list[str]:
    """One line per element axe finds at fault: rule, impact, selector (empty when the page passes)."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(
                f"  {violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}"
            )
    return lines


@pytest.fixture
def walk_data(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: STUB_PDF)
    return build_dataset()


def walk(page, live_server, pages) -> dict[str, list[str]]:
    failures = {}
    # a missing stylesheet or script would change what axe sees; the 403 and 404 pages themselves are expected
    missing = []
    page.on(
        "response",
        lambda r: r.status >= 400 and r.request.resource_type != "document" and missing.append(r.url),
    )
    for url, status in pages:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == status, f"{url}: {response.status}, expected {status}"
        # charts and other scripts draw after load; axe judges the page as the user sees it
        page.wait_for_load_state("networkidle")
        found = axe_violations(page)
        if found:
            failures[url] = found
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []
    # Chromium reports a page answering 403 / 404 as a failed resource: not a script error
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    return failures


def report(persona: str, pages, failures) -> str:
    lines = [f"{persona}: axe-core violations on {len(failures)} of {len(pages)} pages"]
    for url, found in failures.items():
        lines.append(url)
        lines.extend(found)
    return "\n".join(lines)


@pytest.mark.parametrize("persona", SIGNED_IN_PERSONAS)
def test_every_page_has_no_axe_violation(walk_data, persona, page, login, live_server):
    login(page, walk_data["users"][persona])
    pages = walked_pages(persona, walk_data["ids"])
    assert len(pages) > 20
    failures = walk(page, live_server, pages)
    print(f"{persona}: {len(pages)} pages walked")
    assert not failures, report(persona, pages, failures)


def test_anonymous_pages_have_no_axe_violation(walk_data, page, live_server):
    pages = walked_pages("anonymous", walk_data["ids"])
    assert "/accounts/login/" in [url for url, _ in pages]
    failures = walk(page, live_server, pages)
    print(f"anonymous: {len(pages)} pages walked")
    assert not failures, report("anonymous", pages, failures)


@pytest.mark.parametrize("persona", SIGNED_IN_PERSONAS)
def test_the_menu_links_only_walked_pages(walk_data, persona, page, login, live_server):
    login(page, walk_data["users"][persona])
    walked = {url.split("?")[0] for url, _ in walked_pages(persona, walk_data["ids"])}
    links = page.locator("header a[href]").evaluate_all("links => links.map(a => a.pathname)")
    assert len(links) >= 8
    assert sorted(set(links) - walked) == []
