"""Every meeting belongs to a prefecture (step 1 of 3: the column, empty; 0007 fills it, 0008 requires it).

Three migrations, each its own transaction, so that no step both writes rows and alters the table
(PostgreSQL refuses an ALTER TABLE while the writes' deferred foreign-key checks are pending).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_meeting_search_text"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="prefecture",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="regions.prefecture",
                verbose_name="都道府県",
            ),
        ),
    ]
