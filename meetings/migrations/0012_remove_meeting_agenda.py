from django.db import migrations


class Migration(migrations.Migration):
    """The free-text 議題 now lives in agenda items (0011)."""

    dependencies = [("meetings", "0011_agenda_from_text")]

    operations = [migrations.RemoveField(model_name="meeting", name="agenda")]
