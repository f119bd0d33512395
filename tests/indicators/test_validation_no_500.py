"""No input of the validation pages answers 500 (tests/test_no_500.py's style, for what they take by POST):
the rule form, the resolve form, the entry form's and the 協議の場 page's confirmation fields and the
import's confirmation note, with arbitrary values (huge numbers, NUL, unicode, empty, repeated)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.importing import RawRow
from indicators.models import Indicator, ValidationRule
from indicators.services import imports as import_services
from regions.models import Prefecture
from tests.factories import FlaggedValueFactory
from tests.test_no_500 import ODD_VALUES

values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=30),
)

FIELDS = {
    "rule": ["kind", "severity", "minimum", "maximum", "threshold", "note", "is_active", "version"],
    "resolve": ["resolution", "back"],
    "value": [
        "indicator",
        "area",
        "period",
        "value",
        "provenance",
        "confirmed",
        "confirmation_note",
        "confirmed_digest",
        "version",
    ],
    "venue": ["period", "provenance", "m_352012", "confirmed", "confirmation_note", "confirmed_digest"],
    "import": ["note", "confirmed_digest"],
}


@pytest.fixture
def urls(sheet, official):
    observation = Indicator.objects.get(code="discharge_rate_3m").observations.first()
    batch = import_services.import_batch_create(
        by=official,
        prefecture=Prefecture.objects.get(code="350001"),
        file_name="x.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_3m", area="350001", period="R2年度", value="70")],
    )
    rule = ValidationRule.objects.first()
    return {
        "rule": [
            f"/indicators/rules/{rule.pk}/edit/",
            "/indicators/definitions/discharge_rate_3m/rules/new/",
        ],
        "resolve": [f"/indicators/checks/{FlaggedValueFactory(observation=observation).pk}/resolve/"],
        "value": ["/indicators/values/new/", f"/indicators/values/{observation.pk}/edit/"],
        "venue": ["/indicators/venues/"],
        "import": [f"/indicators/imports/{batch.pk}/confirm/"],
    }


@pytest.mark.parametrize("form", sorted(FIELDS))
def test_no_posted_value_answers_500(client_for, official, urls, form):
    client = client_for(official)

    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(
        url=st.sampled_from(urls[form]),
        data=st.dictionaries(
            st.sampled_from(FIELDS[form]), st.lists(values, min_size=1, max_size=2), max_size=6
        ),
    )
    def check(url, data):
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    check()
    for value in ODD_VALUES:  # every odd value in every field at once
        for url in urls[form]:
            response = client.post(url, dict.fromkeys(FIELDS[form], value))
            assert response.status_code < 500, (url, value)
