"""Every meeting belongs to a prefecture (step 3 of 3): filled by 0007, now required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meetings", "0007_fill_meeting_prefecture")]

    operations = [
        migrations.AlterField(
            model_name="meeting",
            name="prefecture",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="regions.prefecture",
                verbose_name="都道府県",
            ),
        ),
    ]
