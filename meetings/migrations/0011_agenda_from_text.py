"""The free-text 議題 of existing meetings becomes agenda items: each non-empty line an item, in order.

A line longer than an item's title keeps its first 200 characters as the title and the whole line in
the notes. The meeting's search text (title + agenda) already holds the same words: it is kept.
"""

from django.db import migrations

TITLE_LENGTH = 200
BULLETS = "・●○-－*＊"


def _title(line: str) -> str:
    return line.lstrip(BULLETS).strip() or line


def forwards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    batch = []
    for meeting in Meeting.objects.exclude(agenda="").only("pk", "region_id", "agenda").iterator(chunk_size=2000):
        lines = [line.strip() for line in meeting.agenda.splitlines() if line.strip()]
        for position, line in enumerate(lines, start=1):
            title = _title(line)
            batch.append(
                AgendaItem(
                    meeting_id=meeting.pk,
                    region_id=meeting.region_id,
                    position=position,
                    title=title[:TITLE_LENGTH],
                    notes=line if len(title) > TITLE_LENGTH else "",
                    origin="entered",
                )
            )
        if len(batch) >= 2000:
            AgendaItem.objects.bulk_create(batch)
            batch = []
    AgendaItem.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    lines: dict[int, list[str]] = {}
    for item in AgendaItem.objects.exclude(meeting=None).order_by("meeting_id", "position", "pk"):
        lines.setdefault(item.meeting_id, []).append(item.title)
    for meeting_id, titles in lines.items():
        Meeting.objects.filter(pk=meeting_id).update(agenda="\n".join(titles))
    AgendaItem.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0010_agenda_items")]

    operations = [migrations.RunPython(forwards, backwards)]
