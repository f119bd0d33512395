"""Every training session belongs to a prefecture (step 2 of 3): its region's, or for a prefecture-wide (県全域)
training session the deployment's own (settings.PORTAL_PREFECTURE_CODE), as the service sets it from now on."""

from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_prefecture(apps, schema_editor):
    """Set `prefecture` on every row, deleted ones included (all rows, so a second run changes nothing)."""
    Record = apps.get_model("training", "TrainingSession")
    Region = apps.get_model("regions", "Region")
    Prefecture = apps.get_model("regions", "Prefecture")
    region_prefecture = Region.objects.filter(pk=OuterRef("region_id")).values("prefecture_id")[:1]
    Record.objects.filter(region__isnull=False).update(prefecture_id=Subquery(region_prefecture))
    prefecture_wide = Record.objects.filter(region__isnull=True)
    if not prefecture_wide.exists():
        return
    code = settings.PORTAL_PREFECTURE_CODE
    prefecture = Prefecture.objects.filter(code=code).first()
    if prefecture is None:
        raise RuntimeError(
            f"県全域の研修の都道府県を決められません: PORTAL_PREFECTURE_CODE={code} の都道府県がありません。"
        )
    prefecture_wide.update(prefecture=prefecture)


class Migration(migrations.Migration):
    dependencies = [("training", "0002_trainingsession_prefecture")]

    operations = [migrations.RunPython(fill_prefecture, migrations.RunPython.noop)]
