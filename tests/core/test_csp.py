"""Point 1: the Content Security Policy allows no inline or foreign script, and charts still draw."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from yamaguchi_portal.urls import urlpatterns as portal_urlpatterns


def directives(header: str) -> dict[str, list[str]]:
    result = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


@pytest.fixture
def policy(client, db):
    return directives(client.get("/accounts/login/")["Content-Security-Policy"])


def test_it_allows_scripts_only_from_the_portal(policy):
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_no_directive_allows_unsafe_inline_or_eval_scripts(policy):
    for name in ("default-src", "script-src"):
        assert "'unsafe-inline'" not in policy[name]
        assert "'unsafe-eval'" not in policy[name]
    assert "script-src-attr" not in policy and "script-src-elem" not in policy


def test_no_directive_allows_another_host(policy):
    for name, sources in policy.items():
        for source in sources:
            assert source.startswith("'") or source == "data:", (name, source)


def test_pages_carry_no_inline_script(client_for, official):
    html = client_for(official).get("/").content.decode()
    assert "<script>" not in html
    assert " onclick=" not in html and " onload=" not in html


# --- A real chart under the real policy: plotly.js served by the portal, drawn by a same-origin
# script, data through json_script. Chromium reports every CSP refusal as a console error.

CHART_PAGE = """{% load static %}<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>chart</title></head>
<body><div id="chart"></div>
{{ data|json_script:"chart-data" }}
<script src="{% static 'vendor/plotly/plotly.min.js' %}"></script>
<script src="/csp-probe/chart.js"></script></body></html>"""

CHART_JS = """
const data = JSON.parse(document.getElementById("chart-data").textContent);
Plotly.newPlot("chart", [{x: data.x, y: data.y, type: "bar", name: "退院率"}],
  {title: {text: "3か月退院率"}}, {displayModeBar: true}).then(() => {
  document.body.dataset.drawn = "yes";
});
"""


@login_not_required
def chart_page(request):
    template = engines["django"].from_string(CHART_PAGE)
    return HttpResponse(template.render({"data": {"x": ["H29", "R3"], "y": [48.6, 56]}}, request))


@login_not_required
def chart_js(request):
    return HttpResponse(CHART_JS, content_type="text/javascript")


urlpatterns = [
    path("csp-probe/", chart_page),
    path("csp-probe/chart.js", chart_js),
    *portal_urlpatterns,
]


@pytest.mark.browser
@pytest.mark.urls("tests.core.test_csp")
def test_plotly_charts_draw_under_the_policy(page, live_server):
    page.goto(f"{live_server.url}/csp-probe/")
    page.wait_for_selector("body[data-drawn=yes]", timeout=15000)
    assert page.locator("#chart .main-svg").count() >= 1
    assert page.locator("#chart g.point").count() == 2
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e]
    assert csp_errors == []


@pytest.mark.browser
@pytest.mark.urls("tests.core.test_csp")
def test_inline_script_is_refused_by_the_browser(page, live_server):
    """The policy is not just a header: an injected inline script does not run."""
    page.goto(f"{live_server.url}/csp-probe/")
    page.wait_for_selector("body[data-drawn=yes]", timeout=15000)
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected") is None
