"""Explanations: each indicator's page (definition, source, cycle, 算出方法, 注意点, targets, the national
comparison), filled for every indicator of the repo's data, and linked from every chart."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from indicators.models import Indicator
from tests.national.factories import observe_country
from tests.pdca.factories import scenario

pytestmark = pytest.mark.django_db


def test_every_indicator_of_the_data_file_explains_its_computation_and_caveats():
    data = json.loads(
        (Path(settings.BASE_DIR) / "indicators/data/indicators.json").read_text(encoding="utf-8")
    )
    for item in data["indicators"]:
        assert item.get("computation"), item["code"]
        assert item.get("caveats"), item["code"]
    by_code = {i["code"]: i for i in data["indicators"]}
    assert "第6期と第7期" in by_code["community_days_after_discharge"]["caveats"]
    assert "新たに入院した" in by_code["discharge_rate_3m"]["computation"]
    assert "6月30日" in by_code["inpatients_total"]["computation"]


def test_the_explanation_page(client_for, viewer, sheet):
    client = client_for(viewer)
    html = client.get("/indicators/definitions/community_days_after_discharge/").content.decode()
    computation = html[html.index('data-testid="computation"') :].split("</dd>")[0]
    caveats = html[html.index('data-testid="caveats"') :].split("</dd>")[0]
    assert "平均" in computation and "第6期と第7期" in caveats
    assert "公表" in html[html.index('data-testid="cycle"') :].split("</dd>")[0]
    assert 'data-testid="national-link"' not in html  # no national values yet
    observe_country(Indicator.objects.get(code="community_days_after_discharge"), [2022])
    html = client.get("/indicators/definitions/community_days_after_discharge/").content.decode()
    assert "/national/community_days_after_discharge/" in html


def test_every_chart_links_to_its_explanation(client_for, official, sheet):
    client = client_for(official)
    dashboard = client.get("/indicators/", {"fiscal_year": 2022}).content.decode()
    charts = dashboard.count('class="chart"')
    assert charts > 0 and dashboard.count('data-testid="about-indicator"') == charts
    assert "/indicators/definitions/discharge_rate_3m/" in dashboard
    sheet_page = client.get("/sheets/2022/").content.decode()
    assert 'data-testid="about-discharge"' in sheet_page and 'data-testid="about-long-stay"' in sheet_page


def test_the_pdca_chart_links_to_its_explanation(client_for, iwakuni_staff, official):
    world = scenario(official)
    world.newer_value()
    html = client_for(iwakuni_staff).get("/pdca/regions/3501/").content.decode()
    chart = html[html.index('data-testid="chart"') :].split("</div>")[0]
    assert "<svg" in chart and 'data-testid="about-indicator"' in chart
    assert re.search(r'href="/indicators/definitions/[\w-]+/">この指標について</a>', chart)
