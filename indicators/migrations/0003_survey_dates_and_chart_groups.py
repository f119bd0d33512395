"""Existing databases: the 630調査 counts are as of June 30, and the dashboard groups related indicators."""

from django.db import migrations

SURVEY_0630 = [
    "inpatients_total",
    "inpatients_under_3m",
    "inpatients_3m_to_1y",
    "inpatients_1y_plus",
    "inpatients_1y_plus_65_over",
    "inpatients_1y_plus_under_65",
]
CHART_GROUPS = {
    "discharge_rate_3m": "退院率",
    "discharge_rate_6m": "退院率",
    "discharge_rate_12m": "退院率",
    "inpatients_1y_plus": "長期在院者数（1年以上）",
    "inpatients_1y_plus_65_over": "長期在院者数（1年以上）",
    "inpatients_1y_plus_under_65": "長期在院者数（1年以上）",
}


def forwards(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=SURVEY_0630, survey_month__isnull=True).update(survey_month=6, survey_day=30)
    for code, group in CHART_GROUPS.items():
        Indicator.objects.filter(code=code, chart_group="").update(chart_group=group)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_dashboard_imports")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
