"""The benchmark data generator at a tiny scale: the counts it promises, rows the portal's own
validation accepts, figures that agree with each other, and the same rows for the same seed."""

import io
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from bench.generate import FULL, NATIONAL, Generator, row_counts

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.001


@pytest.fixture
def generated(db):
    return Generator(scale=SCALE, seed=7, out=io.StringIO().write).run()


def test_it_makes_the_national_geography_and_the_scaled_records(generated):
    counts = row_counts()
    assert counts["regions.Prefecture"] == NATIONAL["prefectures"] + 1  # and 全国 (reference data)
    assert counts["regions.Region"] == NATIONAL["regions"]
    assert counts["regions.Municipality"] == NATIONAL["municipalities"]
    assert counts["meetings.Meeting"] == round(FULL["meetings"] * SCALE)
    assert counts["meetings.CaseReview"] == round(FULL["cases"] * SCALE)
    assert counts["training.TrainingSession"] == round(FULL["training"] * SCALE)
    # Every prefecture and region has every indicator for each generated year.
    Observation = apps.get_model("indicators", "Observation")
    years = generated.observation_years()
    assert len(years) == 2
    per_area = Counter(
        Observation.objects.filter(fiscal_year__in=years, municipality=None)
        .exclude(prefecture__code="350001", region=None)
        .values_list("area_key", flat=True)
    )
    assert len(per_area) == NATIONAL["prefectures"] - 1 + NATIONAL["regions"]
    indicator_count = apps.get_model("indicators", "Indicator").objects.count()
    assert set(per_area.values()) == {indicator_count * len(years)}


def test_its_rows_pass_validation_and_are_what_the_services_would_write(generated):
    from core import versions
    from core.fiscal import fiscal_year_of
    from core.models import ChangeRecord
    from core.search import search_text
    from indicators.versions import ACTIVITY_DATA, INDICATOR_DATA
    from meetings.models import CaseReview, Meeting

    for label in [
        "meetings.Meeting",
        "meetings.Participation",
        "meetings.ActionItem",
        "meetings.CaseReview",
        "meetings.CaseFollowUp",
        "training.TrainingSession",
        "training.TrainingAttendance",
        "training.PeerSupportProgramme",
        "indicators.Observation",
        "indicators.Target",
    ]:
        model = apps.get_model(label)
        for row in model.objects.order_by("pk")[:150]:
            row.full_clean()
    for meeting in Meeting.objects.select_related("region").prefetch_related("agenda_items"):
        assert meeting.fiscal_year == fiscal_year_of(meeting.date)
        assert meeting.version == (2 if meeting.deleted_at else 1)
        titles = [a.title for a in sorted(meeting.agenda_items.all(), key=lambda a: a.position)]
        assert titles, "every generated meeting has an agenda"
        assert meeting.search_text == search_text(meeting.title, *titles)  # as the service derives it
    # bulk_create sends no signals: the generator raises the dashboard's data versions itself
    assert all(versions.current(INDICATOR_DATA, ACTIVITY_DATA))
    for case in CaseReview.objects.select_related("region"):
        assert case.case_number == f"{case.region.name}-{case.fiscal_year}-{case.sequence:03d}"
    created = set(
        ChangeRecord.objects.filter(content_type__model="meeting", action="create").values_list(
            "object_id", flat=True
        )
    )
    assert created == {str(pk) for pk in Meeting.objects.values_list("pk", flat=True)}


def test_its_figures_add_up(generated):
    from indicators.checks import sum_checks
    from indicators.models import Indicator, Observation

    observations = list(Observation.objects.all())
    checks = sum_checks(observations, Indicator.objects.all())
    assert checks
    assert [c.message for c in checks if not c.ok] == []
    # Yamaguchi keeps its real R3.6 long-stay figure as the newest of its series.
    newest = (
        Observation.objects.filter(indicator__code="inpatients_1y_plus", area_key="pref:350001")
        .order_by("-period_end")
        .first()
    )
    assert newest.value == Decimal("3496")


def _generate(tmp_path, name, seed):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / name}"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", str(SCALE), "--seed", str(seed)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if "fingerprint:" in line)
    return line.split(":", 1)[1].strip()


def test_the_same_seed_gives_the_same_rows(tmp_path):
    first = _generate(tmp_path, "a.sqlite3", seed=3)
    assert _generate(tmp_path, "b.sqlite3", seed=3) == first
    assert _generate(tmp_path, "c.sqlite3", seed=4) != first
