"""Confirming an import writes its rows and their history in bulk: the number of queries does not
grow with the number of rows (bench/CHANGES.md: 10,000 rows took ~19 s at 4–9 queries a row)."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ChangeRecord
from indicators.models import ImportBatch, Observation
from indicators.services import imports as import_services
from tests.indicators.helpers import csv_file
from tests.indicators.test_imports import URL, upload


def _apply_queries(client, official, lines) -> int:
    assert upload(client, csv_file(lines)).status_code == 302
    batch = ImportBatch.objects.latest("pk")
    # Both measurements start from a cold ContentType cache, whichever test warmed it before.
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        import_services.import_batch_apply(by=official, batch=batch)
    return len(ctx.captured_queries)


def _lines(first_year, count, *, update=""):
    return [f"population,350001,{first_year + n}年,{1000 + n},県調べ,,{update}" for n in range(count)]


def test_confirming_costs_the_same_queries_for_3_rows_or_60(client_for, official, sheet):
    client = client_for(official)
    few = _apply_queries(client, official, _lines(1900, 3))
    many = _apply_queries(client, official, _lines(1910, 60))
    # 57 more rows must not mean 57 more queries. SQLite splits a bulk INSERT into batches by its
    # variable limit, so allow for that — one extra batch per bulk-inserted table at most.
    assert many - few <= 3, (few, many)
    created = Observation.objects.filter(indicator__code="population", fiscal_year__lt=2000)
    assert created.count() == 63
    assert (
        ChangeRecord.objects.filter(
            content_type__model="observation", action="create", object_id__in=[str(o.pk) for o in created]
        ).count()
        == 63
    )


def test_updates_in_bulk_keep_their_history_and_previous_values(client_for, official, sheet):
    client = client_for(official)
    _apply_queries(client, official, _lines(1900, 5))
    _apply_queries(
        client,
        official,
        [line.replace(",県調べ,", ",県調べ（改訂）,") for line in _lines(1900, 5, update="1")],
    )
    batch = ImportBatch.objects.latest("pk")
    assert batch.updated_count == 5 and batch.created_count == 0
    observation = Observation.objects.get(indicator__code="population", period_key="year:1900")
    assert observation.provenance == "県調べ（改訂）"
    update = ChangeRecord.objects.filter(object_id=str(observation.pk), action="update").get()
    assert (
        update.changes["provenance"]["old"] == "県調べ"
        and update.changes["provenance"]["new"] == "県調べ（改訂）"
    )
    assert batch.changes.get(observation_pk=observation.pk).previous["provenance"] == "県調べ"
    client.post(f"{URL}{batch.pk}/undo/", {"confirmed": "yes"})
    observation.refresh_from_db()
    assert observation.provenance == "県調べ"
