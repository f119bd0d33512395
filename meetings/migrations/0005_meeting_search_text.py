"""Meeting search that an index answers (core.search): the normalised column and its GIN index."""

from django.db import migrations, models

from core import search

INDEX_NAME = "meeting_search_grams"  # meetings.models.SEARCH_GRAM_INDEX


def fill_search_text(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    batch = []
    for meeting in Meeting.objects.only("pk", "title", "agenda").iterator(chunk_size=2000):
        meeting.search_text = search.search_text(meeting.title, meeting.agenda)
        batch.append(meeting)
        if len(batch) == 2000:
            Meeting.objects.bulk_update(batch, ["search_text"])
            batch = []
    Meeting.objects.bulk_update(batch, ["search_text"])


def create_gram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(search.SEARCH_GRAMS_FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX {INDEX_NAME} ON meetings_meeting USING gin (portal_search_grams(search_text))"
    )


def drop_gram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_case_activity_indexes")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="search_text",
            field=models.TextField(default="", editable=False, verbose_name="検索用の文字列"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_gram_index, drop_gram_index),
    ]
