"""Every training session belongs to a prefecture (step 1 of 3: the column, empty; 0003 fills it, 0004 requires it).

Three migrations, each its own transaction, so that no step both writes rows and alters the table
(PostgreSQL refuses an ALTER TABLE while the writes' deferred foreign-key checks are pending).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingsession",
            name="prefecture",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="training_sessions",
                to="regions.prefecture",
                verbose_name="都道府県",
            ),
        ),
    ]
