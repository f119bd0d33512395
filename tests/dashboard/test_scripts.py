"""The dashboard links no plotly.js: charts.js fetches it from the URL in its data-plotly attribute
(the static URL, so the manifest's hashed name in production) when a chart comes into view."""

import re

from django.templatetags.static import static


def test_dashboard_links_no_plotly_but_names_it_for_the_loader(client_for, viewer, sheet):
    html = client_for(viewer).get("/indicators/", {"fiscal_year": 2022}).content.decode()
    assert 'data-figure="' in html  # there are charts to draw
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert not [tag for tag in scripts if re.search(r"\bsrc=\"[^\"]*plotly", tag)], scripts
    loader = [tag for tag in scripts if static("indicators/charts.js") in tag]
    assert len(loader) == 1
    assert f'data-plotly="{static("vendor/plotly/plotly.min.js")}"' in loader[0]
