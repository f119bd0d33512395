"""Migration 0011: the free-text 議題 of existing meetings becomes agenda items, one per non-empty line."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("meetings", "0010_agenda_items")
split_migration = importlib.import_module("meetings.migrations.0011_agenda_from_text")


@pytest.mark.django_db(transaction=True)
def test_each_non_empty_line_becomes_an_item_in_order():
    executor = MigrationExecutor(connection)
    # Every app's latest migration: going back to 0010 also unapplies what depends on meetings since
    # (reminders' tables), and all of it must be back for the tests that run after this one.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    try:
        apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        Prefecture = apps.get_model("regions", "Prefecture")
        Meeting = apps.get_model("meetings", "Meeting")
        prefecture = Prefecture.objects.create(code="350001", name="山口県")
        common = {
            "kind": "prefecture_council",
            "date": "2022-08-01",
            "prefecture": prefecture,
            "organiser_division": "disability_support",
            "fiscal_year": 2022,
        }
        listed = Meeting.objects.create(
            title="県地域生活移行推進会議", agenda="・現状の共有\n\n  事例検討  \r\n" + "長" * 230, **common
        )
        Meeting.objects.create(title="議題なし", agenda="", **common)

        split_migration.forwards(apps, None)

        AgendaItem = apps.get_model("meetings", "AgendaItem")
        items = list(AgendaItem.objects.order_by("position").values_list("meeting_id", "position", "title"))
        assert [(m, p) for m, p, _ in items] == [(listed.pk, 1), (listed.pk, 2), (listed.pk, 3)]
        assert [t for _, _, t in items][:2] == ["現状の共有", "事例検討"]
        long_item = AgendaItem.objects.get(position=3)
        assert len(long_item.title) == 200 and long_item.notes == "長" * 230  # nothing is lost

        split_migration.backwards(apps, None)  # and back: the lines return to the text field
        listed.refresh_from_db()
        assert listed.agenda.splitlines()[:2] == ["現状の共有", "事例検討"]
        assert not AgendaItem.objects.exists()
    finally:
        MigrationExecutor(connection).migrate(latest)
