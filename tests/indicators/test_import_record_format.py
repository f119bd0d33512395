"""The record of an applied import words its values as its preview did (「71.0％」, not 「71」)."""

import re

import pytest

from indicators.models import ImportBatch, ImportChange
from tests.indicators.helpers import csv_file

URL = "/indicators/imports/"


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def cells(html: str, testid: str) -> list[list[str]]:
    """The text of each row's cells in the table with `data-testid`."""
    table = html[html.index(f'data-testid="{testid}"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]


def test_the_record_formats_values_as_the_preview_did(client):
    response = client.post(
        URL,
        {
            "file": csv_file(
                [
                    "discharge_rate_6m,350001,R2年度,71,NDB,,",
                    "discharge_rate_3m,350001,H29年度,49,NDB（再集計）,,1",
                ]
            )
        },
    )
    preview = cells(client.get(response.url).content.decode(), "preview")
    # line, action, indicator, area, period, value, current value, provenance
    assert [(row[5], row[6]) for row in preview] == [("71.0％", "－"), ("49.0％", "48.6％")]

    client.post(f"{response.url}confirm/")
    record = cells(client.get(response.url).content.decode(), "changes")
    # line, action, label, before, applied
    assert [(row[3], row[4]) for row in record] == [("－", "71.0％"), ("48.6％", "49.0％")]

    # still so after the undo deleted the value it created (the indicator is kept with the change)
    batch = ImportBatch.objects.get()
    client.post(f"{URL}{batch.pk}/undo/", {"confirmed": "yes"})
    assert ImportBatch.objects.get().status == "undone"
    record = cells(client.get(response.url).content.decode(), "changes")
    assert [(row[3], row[4]) for row in record] == [("－", "71.0％"), ("48.6％", "49.0％")]


def test_a_change_recorded_before_its_indicator_was_kept_shows_plain_digits(client):
    response = client.post(URL, {"file": csv_file(["discharge_rate_6m,350001,R2年度,71,NDB,,"])})
    client.post(f"{response.url}confirm/")
    ImportChange.objects.update(indicator=None)

    record = cells(client.get(response.url).content.decode(), "changes")

    assert record[0][4] == "71"
