import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators.models import Indicator, Observation, Plan, Target
from indicators.services import observation_record
from sheets import services
from sheets.models import (
    Challenge,
    ChallengeRole,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    OutcomeRow,
    ScheduleEntry,
    Strength,
)
from tests.sheets.helpers import formset_post_data

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Indicator,
            Plan,
            Observation,
            Target,
            Edition,
            InitiativeHeading,
            HistoryEntry,
            OutcomeRow,
            Strength,
            Challenge,
            ChallengeRole,
            ScheduleEntry,
        )
    }


def load(*args):
    out = io.StringIO()
    call_command("load_sheet", *args, stdout=out)
    return out.getvalue()


def obs(code, period_key):
    return Observation.objects.get(indicator__code=code, area_key="pref:350001", period_key=period_key)


def test_it_loads_every_record_of_the_r4_sheet(loaded):
    assert counts() == {
        "Indicator": 30,
        "Plan": 6,
        "Observation": 28,
        "Target": 14,
        "Edition": 1,
        "InitiativeHeading": 15,
        "HistoryEntry": 6,
        "OutcomeRow": 5,
        "Strength": 2,
        "Challenge": 2,
        "ChallengeRole": 8,
        "ScheduleEntry": 3,
    }
    assert loaded.title == "地域包括ケアシステム構築に向けた精神障害者の地域移行の取組"
    assert loaded.subtitle == "～保健所圏域ですすめる顔の見えるネットワーク～"
    assert len(loaded.overview_paragraphs) == 2
    assert loaded.status == Edition.Status.DRAFT


def test_it_stores_part_1_facts_with_their_own_periods(loaded):
    assert obs("population", "month:2022-04").value == Decimal("1315949")
    assert obs("psychiatric_beds", "month:2022-04").value == 5839
    assert obs("consultation_venue_municipalities", "month:2022-04").value == 12
    assert obs("support_council_frequency", "fy:2021").value == 1
    assert obs("mental_health_subcommittee", "fy:2021").value == 0
    assert obs("inpatients_total", "month:2021-06").value == 5111
    assert obs("inpatients_1y_plus_under_65", "month:2021-06").value == 1033
    rate = obs("discharge_rate_12m", "fy:2017")
    assert rate.value == Decimal("78.7")
    assert rate.provenance == "NDB（H29年度）"
    assert obs("inpatients_1y_plus", "year:2014").value == 3906


def test_it_stores_plan_targets_including_the_national_guideline(loaded):
    def target(code, plan_issuer, year):
        return Target.objects.get(indicator__code=code, plan__issuer=plan_issuer, fiscal_year=year)

    assert [target(f"discharge_rate_{m}", "prefecture", 2023).value for m in ("3m", "6m", "12m")] == [
        56,
        74,
        85,
    ]
    assert [target(f"discharge_rate_{m}", "national", 2023).value for m in ("3m", "6m", "12m")] == [
        69,
        86,
        92,
    ]
    assert [target(f"discharge_rate_{m}", "national", 2026).value for m in ("3m", "6m", "12m")] == [
        Decimal("68.9"),
        Decimal("84.5"),
        Decimal("91.0"),
    ]
    demand = target("inpatients_1y_plus", "prefecture", 2023)
    assert (demand.value, demand.comparator) == (2855, Target.Comparator.LTE)
    assert target("inpatients_1y_plus_65_over", "prefecture", 2023).value == 2036
    assert target("inpatients_1y_plus_under_65", "prefecture", 2023).value == 819


def test_outcome_rows_link_indicators_and_leave_empty_cells_empty(loaded):
    rows = list(OutcomeRow.objects.filter(edition=loaded).select_related("indicator", "target", "actual"))
    assert [r.number for r in rows] == ["①", "②", "③", "", ""]
    first, second, third = rows[:3]
    assert first.indicator.code == "consultation_venue_regions"
    assert (first.target.value, first.actual.value) == (8, 8)
    assert second.target is None and second.actual is None
    assert second.reference_baseline.value == 3906
    assert second.reference_target.value == 2855
    assert third.target.value == 56 and third.achievement_same_as_above


def test_same_as_above_is_marked_explicitly(loaded):
    peer = Challenge.objects.get(edition=loaded, order=2)
    roles = {r.actor: r for r in peer.roles.all()}
    assert roles["administration"].text == "ピアサポーターのニーズ等実態把握"
    assert all(roles[a].same_as_above for a in ("medical", "welfare", "others"))


def test_a_second_run_changes_nothing(loaded):
    before = counts()
    pks = sorted(InitiativeHeading.objects.values_list("pk", flat=True))
    output = load()
    assert "作成: なし ／ 更新: なし" in output
    assert counts() == before
    assert sorted(InitiativeHeading.objects.values_list("pk", flat=True)) == pks


def test_it_does_not_overwrite_an_officials_edits_unless_asked(loaded, official, client_for):
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="population"),
        prefecture=loaded.prefecture,
        period_text="R4年4月",
        value=Decimal("1315950"),
        provenance="県調べ（訂正）",
    )
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part5/"))
    data["strengths-0-text"] = "訂正した強み"
    response = client.post("/sheets/2022/edit/part5/", data)
    assert response.status_code == 302, [fs.errors for _, fs in response.context["formsets"]]

    output = load()
    assert "編集済みのため保持" in output
    assert obs("population", "month:2022-04").value == Decimal("1315950")
    assert Strength.objects.get(edition=loaded, order=1).text == "訂正した強み"

    load("--overwrite")
    population = obs("population", "month:2022-04")
    assert population.value == Decimal("1315949")
    assert not population.is_edited
    assert Strength.objects.get(edition=loaded, order=1).text.startswith("地域移行を保健所圏域ごとに進める")
    loaded.refresh_from_db()
    assert services.PART_STRENGTHS not in loaded.edited_parts
