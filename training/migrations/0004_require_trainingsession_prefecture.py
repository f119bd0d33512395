"""Every training session belongs to a prefecture (step 3 of 3): filled by 0003, now required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("training", "0003_fill_trainingsession_prefecture")]

    operations = [
        migrations.AlterField(
            model_name="trainingsession",
            name="prefecture",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="training_sessions",
                to="regions.prefecture",
                verbose_name="都道府県",
            ),
        ),
    ]
