"""The validation rules where officials type values: the entry form (hard refused, soft confirmed
with a note and flagged, flags closed when the value is saved again) and the 協議の場 page."""

from decimal import Decimal

import pytest

from core.models import ChangeRecord
from indicators.models import FlaggedValue, Indicator, Observation, ValidationRule
from tests.factories import ValidationRuleFactory

NEW = "/indicators/values/new/"
CHANGE_15_POINTS = (
    "70.0％ は前の期間（平成29年度）の値 48.6％から 21.4ポイント 増えています（目安: ±15ポイントまで）。"
)


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def rate():
    return Indicator.objects.get(code="discharge_rate_3m")


def state():
    return (
        list(Observation.objects.order_by("pk").values_list("pk", "value", "version")),
        list(FlaggedValue.objects.order_by("pk").values_list("pk", "resolved_at")),
        ChangeRecord.objects.count(),
    )


def post_value(client, value, **extra):
    """The prefecture's 3-month discharge rate for R2年度 (its previous value: H29年度 48.6 %, and the
    seeded soft rule: at most 15 points of change)."""
    return client.post(
        NEW,
        {
            "indicator": rate().pk,
            "area": "350001",
            "period": "R2年度",
            "value": value,
            "provenance": "NDB",
            **extra,
        },
    )


def stored(period_key="fy:2020"):
    return Observation.objects.get(
        indicator__code="discharge_rate_3m", area_key="pref:350001", period_key=period_key
    )


def test_a_hard_finding_is_an_error_of_the_value_and_nothing_is_saved(client):
    ValidationRuleFactory(
        indicator=rate(), kind="range", severity="hard", minimum=30, maximum=90, threshold=None
    )
    before = state()
    response = post_value(client, "95")
    assert response.status_code == 200
    assert response.context["form"].errors["value"] == [
        "95.0％ は許容範囲（下限 30％・上限 90％）の外です（前の期間（平成29年度）の値 48.6％）。"
    ]
    assert "確認のうえ登録する" not in response.content.decode()  # nothing to confirm: refused
    assert state() == before


def test_a_soft_finding_asks_for_a_note_then_saves_and_flags_the_value(client, official):
    before = state()
    response = post_value(client, "70")
    assert response.status_code == 200
    page = response.content.decode()
    assert "確認が必要な値です（1件）。まだ保存していません。" in page and CHANGE_15_POINTS in page
    assert "確認のうえ登録する" in page and 'name="confirmation_note"' in page
    assert state() == before
    digest = response.context["form"]["confirmed_digest"].value()

    # checked but no note: refused with the reason, still nothing saved
    response = post_value(client, "70", confirmed="on", confirmation_note=" ", confirmed_digest=digest)
    assert response.context["form"].errors["confirmation_note"] == ["確認のメモを入力してください。"]
    assert state() == before

    response = post_value(
        client, "70", confirmed="on", confirmation_note="NDB 再集計値と照合済み", confirmed_digest=digest
    )
    assert response.status_code == 302
    observation = stored()
    assert observation.value == Decimal("70")
    flag = FlaggedValue.objects.get()
    assert (flag.observation, flag.message, flag.note, flag.flagged_by, flag.resolved_at) == (
        observation,
        CHANGE_15_POINTS,
        "NDB 再集計値と照合済み",
        official,
        None,
    )
    assert flag.rule == ValidationRule.objects.get(indicator=rate(), kind="change_absolute")
    assert flag.rule_label == "前の期間からの変化幅: ±15ポイントまで"


def test_a_confirmation_counts_only_for_the_findings_it_was_shown(client):
    """The value changed after the confirmation screen: other findings, so it asks again."""
    digest = post_value(client, "70").context["form"]["confirmed_digest"].value()
    before = state()
    response = post_value(client, "75", confirmed="on", confirmation_note="確認済み", confirmed_digest=digest)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.findings == [
        "75.0％ は前の期間（平成29年度）の値 48.6％から 26.4ポイント 増えています（目安: ±15ポイントまで）。"
    ]
    assert form["confirmed"].value() is False  # to be checked again for what is shown now
    assert state() == before
    response = post_value(
        client, "75", confirmed="on", confirmation_note="確認済み", digest="x", confirmed_digest=""
    )
    assert response.status_code == 200 and state() == before  # no digest: no confirmation


def test_a_clean_value_saves_at_once_without_a_flag(client):
    response = post_value(client, "50")
    assert response.status_code == 302
    assert stored().value == 50 and not FlaggedValue.objects.exists()


def confirm(client, url, data):
    """Post `data`; when the rules ask for a confirmation, confirm what they said."""
    response = client.post(url, data)
    if response.status_code == 200 and response.context["form"].findings:
        digest = response.context["form"]["confirmed_digest"].value()
        response = client.post(
            url, {**data, "confirmed": "on", "confirmation_note": "確認済み", "confirmed_digest": digest}
        )
    return response


def test_saving_the_value_again_closes_the_flags_that_no_longer_apply(client, official):
    assert (
        confirm(
            client, NEW, {"indicator": rate().pk, "area": "350001", "period": "R2年度", "value": "70"}
        ).status_code
        == 302
    )
    observation = stored()
    edit = f"/indicators/values/{observation.pk}/edit/"
    # the same finding confirmed again: the old flag hands over to the new confirmation
    response = confirm(
        client, edit, {"value": "70", "provenance": "NDB（再確認）", "version": observation.version}
    )
    assert response.status_code == 302
    first, second = FlaggedValue.objects.order_by("pk")
    assert first.resolved_at is not None and "新しい確認に引き継ぎました" in first.resolution
    assert second.resolved_at is None and second.message == CHANGE_15_POINTS
    # corrected to a value the rules accept: closed automatically, saying so
    observation.refresh_from_db()
    response = client.post(edit, {"value": "50.2", "provenance": "NDB", "version": observation.version})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.resolved_by == official and second.resolution == (
        "値が再び登録され、検証でこの指摘に当たらなくなったため、自動で確認済みにしました（登録された値 50.2）。"
    )
    assert not FlaggedValue.objects.unresolved().exists()


def test_4863_typed_instead_of_486_3_in_the_form(client):
    """A rate per 100,000 people typed with its decimal point lost: in range, but questioned."""
    indicator = Indicator.objects.create(
        code="long_stay_per_100k", name_ja="人口10万人あたりの長期在院者数", unit="人", decimal_places=1
    )
    ValidationRuleFactory(
        indicator=indicator, kind="range", severity="hard", minimum=0, maximum=10000, threshold=None
    )
    ValidationRuleFactory(indicator=indicator, kind="change_percent", threshold=30)
    for year, value in (("R1年度", "498.0"), ("R2年度", "492.5"), ("R3年度", "489.1")):
        assert (
            client.post(
                NEW, {"indicator": indicator.pk, "area": "350001", "period": year, "value": value}
            ).status_code
            == 302
        )
    response = client.post(
        NEW, {"indicator": indicator.pk, "area": "350001", "period": "R4年度", "value": "4863"}
    )
    assert response.status_code == 200
    assert response.context["form"].findings == [
        "4,863.0人 は前の期間（令和3年度）の値 489.1人から 894.3％ 増えています（目安: ±30％まで）。"
    ]
    assert not Observation.objects.filter(indicator=indicator, period_key="fy:2022").exists()
    response = client.post(
        NEW, {"indicator": indicator.pk, "area": "350001", "period": "R4年度", "value": "486.3"}
    )
    assert response.status_code == 302
    assert Observation.objects.get(indicator=indicator, period_key="fy:2022").value == Decimal("486.3")


def test_the_breakdown_rules_in_the_form(client):
    """A part above its stored total is refused (the R3年6月 figures: 3,496 of whom 2,463 are 65 or over)."""
    part = Indicator.objects.get(code="inpatients_1y_plus_65_over")
    response = client.post(
        NEW, {"indicator": part.pk, "area": "350001", "period": "R3年6月", "value": "3500"}
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["value"]
    assert "の合計 4,533 人 が合計 3,496 人 を超えています。" in error
    assert Observation.objects.get(indicator=part, period_key="month:2021-06").value == 2463


# --- the 協議の場 page --------------------------------------------------------------------------


VENUES = "/indicators/venues/"


def venue_post(period, statuses, **extra):
    return {
        "period": period,
        "provenance": "県調べ",
        **{f"m_{code}": v for code, v in statuses.items()},
        **extra,
    }


def test_the_venue_page_asks_before_a_municipality_loses_its_venue(client, official):
    """A soft rule: a 協議の場 that was 有 at the previous 時点 and is now 無 asks for a note."""
    venue = Indicator.objects.get(code="consultation_venue")
    ValidationRuleFactory(indicator=venue, kind="change_absolute", threshold=Decimal("0.5"))
    assert client.post(VENUES, venue_post("R4年4月", {"352012": "1", "352021": "1"})).status_code == 302
    before = state()
    response = client.post(VENUES, venue_post("R5年4月", {"352012": "0", "352021": "1"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.findings == [
        "下関市: 無 は前の期間（令和4年4月）の値 有から 1 減っています（目安: ±0.5まで）。"
    ]
    assert "確認のうえ登録する" in response.content.decode()
    assert state() == before
    response = client.post(
        VENUES,
        venue_post(
            "R5年4月",
            {"352012": "0", "352021": "1"},
            confirmed="on",
            confirmation_note="R5年度に廃止（市の報告）",
            confirmed_digest=form["confirmed_digest"].value(),
        ),
    )
    assert response.status_code == 302
    flag = FlaggedValue.objects.get()
    assert flag.observation.area_key == "muni:352012" and flag.observation.value == 0
    assert flag.note == "R5年度に廃止（市の報告）" and flag.message.startswith("無 は前の期間")


def test_the_venue_page_refuses_what_a_hard_rule_refuses(client):
    venue = Indicator.objects.get(code="consultation_venue")
    ValidationRuleFactory(indicator=venue, kind="range", severity="hard", minimum=1, threshold=None)
    before = state()
    response = client.post(VENUES, venue_post("R4年4月", {"352012": "1", "352021": "0"}))
    assert response.status_code == 200
    assert response.context["form"].refusals == [
        "宇部市: 無 は許容範囲（下限 1）の外です（前の期間の値はありません）。"
    ]
    assert "次の値は登録できません。何も保存していません。" in response.content.decode()
    assert state() == before
