"""The venue page's forms render through crispy: the radios per municipality, errors beside the period."""

from indicators.models import Observation
from tests.htmlcheck import classes, control, error_beside


def test_venue_page_renders_radios_per_municipality_and_the_period_error(client_for, official, sheet):
    client = client_for(official)
    html = client.get("/indicators/venues/").content.decode()
    tag, attrs = control(html, "id_m_352012_0")
    assert tag == "input" and attrs["type"] == "radio" and attrs["name"] == "m_352012"
    assert "form-check-input" in classes(html, "id_m_352012_0")
    assert "下関市の協議の場" in html  # the legend screen readers read for the row
    assert control(html, "venue-period")[1]["name"] == "period"

    response = client.post("/indicators/venues/", {"period": "そのうち", "m_352012": "0"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in classes(html, "id_period")
    assert "期間として読めません" in error_beside(html, "id_period")
    assert not Observation.objects.filter(area_key="muni:352012").exists()
