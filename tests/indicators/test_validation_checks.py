"""The 「確認が必要な値」 list (who reads it, who resolves what, its order, filters, pages and queries)
and the management of validation rules on the indicator definition page."""

from datetime import date
from decimal import Decimal

import pytest

from core.models import ChangeRecord
from indicators.models import FlaggedValue, Indicator, Observation, ValidationRule, area_key_for
from indicators.services import observation_record
from regions.models import Prefecture, Region
from tests.factories import FlaggedValueFactory

CHECKS = "/indicators/checks/"


def value(official, *, region_code=None, period="R2年度", code="discharge_rate_3m", amount="50"):
    prefecture = Prefecture.objects.get(code="350001")
    return observation_record(
        by=official,
        indicator=Indicator.objects.get(code=code),
        prefecture=prefecture,
        region=Region.objects.get(code=region_code) if region_code else None,
        period_text=period,
        value=Decimal(amount),
    )


@pytest.fixture
def flags(sheet, official):
    """A flag on a value of 岩国 (3501), of 萩 (3508) and of the prefecture."""
    return {
        "own": FlaggedValueFactory(observation=value(official, region_code="3501"), flagged_by=official),
        "other": FlaggedValueFactory(observation=value(official, region_code="3508"), flagged_by=official),
        "prefecture": FlaggedValueFactory(observation=value(official), flagged_by=official),
    }


def test_writers_read_the_list_viewers_do_not(client_for, flags, official, iwakuni_staff, viewer):
    page = client_for(official).get(CHECKS)
    assert page.status_code == 200 and page.content.decode().count('data-testid="flag"') == 3
    assert len([form for _, _, form in page.context["rows"] if form is not None]) == 3
    page = client_for(iwakuni_staff).get(CHECKS)
    assert page.status_code == 200 and page.content.decode().count('data-testid="flag"') == 2
    listed = {flag.pk for flag, _, _ in page.context["rows"]}
    assert listed == {flags["own"].pk, flags["prefecture"].pk}  # never another region's value (small counts)
    resolvable = {flag.pk for flag, _, form in page.context["rows"] if form is not None}
    assert resolvable == {flags["own"].pk}  # only their own region's value
    assert client_for(viewer).get(CHECKS).status_code == 403


def test_staff_do_not_list_the_flags_of_national_reference_values(client_for, flags, official, iwakuni_staff):
    """全国 and other prefectures' values (national tables) are prefecture-level too, but not the
    portal's own: officials check them, staff never see them among 「確認が必要な値」."""
    nation = Prefecture.objects.nation()
    national = Observation.objects.create(
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=nation,
        area_key=area_key_for(prefecture=nation),
        period_kind="fiscal_year",
        fiscal_year=2020,
        period_end=date(2021, 3, 31),
        period_key="fy:2020",
        value=Decimal("63.1"),
    )
    flag = FlaggedValueFactory(observation=national, flagged_by=official)
    listed = {row[0].pk for row in client_for(official).get(CHECKS).context["rows"]}
    assert flag.pk in listed
    listed = {row[0].pk for row in client_for(iwakuni_staff).get(CHECKS).context["rows"]}
    assert listed == {flags["own"].pk, flags["prefecture"].pk}


def resolve(client, flag, text="NDB と照合し正しいことを確認した"):
    return client.post(
        f"{CHECKS}{flag.pk}/resolve/", {"resolution": text, "back": "resolved=open&page=1&x=1"}
    )


def test_officials_resolve_any_flag_with_a_note_and_it_is_recorded(client_for, flags, official):
    client = client_for(official)
    response = resolve(client, flags["prefecture"])
    assert response.status_code == 302 and response.url == f"{CHECKS}?resolved=open&page=1"  # x dropped
    flag = FlaggedValue.objects.get(pk=flags["prefecture"].pk)
    assert (flag.resolved_by, flag.resolution) == (official, "NDB と照合し正しいことを確認した")
    assert ChangeRecord.objects.for_object(flag).get().changes["resolution"]["new"] == flag.resolution
    # a second time: refused, nothing changes
    resolve(client, flag, "二度目")
    flag.refresh_from_db()
    assert flag.resolution == "NDB と照合し正しいことを確認した"


def test_a_resolution_needs_a_note(client_for, flags, official):
    response = resolve(client_for(official), flags["own"], text="  ")
    assert response.status_code == 302
    assert FlaggedValue.objects.get(pk=flags["own"].pk).resolved_at is None


def test_staff_resolve_their_own_regions_values_only(client_for, flags, iwakuni_staff, hagi_staff, viewer):
    client = client_for(iwakuni_staff)
    assert resolve(client, flags["other"]).status_code == 403
    assert resolve(client, flags["prefecture"]).status_code == 403
    assert resolve(client_for(viewer), flags["own"]).status_code == 403
    assert FlaggedValue.objects.unresolved().count() == 3
    assert resolve(client_for(iwakuni_staff), flags["own"]).status_code == 302
    assert resolve(client_for(hagi_staff), flags["other"]).status_code == 302
    assert set(FlaggedValue.objects.unresolved().values_list("pk", flat=True)) == {flags["prefecture"].pk}


def test_unresolved_first_and_the_filters(client_for, flags, official):
    client = client_for(official)
    resolve(client, flags["own"])
    rows = [flag.pk for flag, _, _ in client.get(CHECKS).context["rows"]]
    assert rows == [flags["prefecture"].pk, flags["other"].pk, flags["own"].pk]  # unresolved, newest first
    assert [f.pk for f, _, _ in client.get(CHECKS, {"resolved": "resolved"}).context["rows"]] == [
        flags["own"].pk
    ]
    assert [f.pk for f, _, _ in client.get(CHECKS, {"area": "3508"}).context["rows"]] == [flags["other"].pk]
    other = FlaggedValueFactory(observation=value(official, code="discharge_rate_6m", amount="70"))
    found = client.get(CHECKS, {"indicator": "discharge_rate_6m", "resolved": "open"}).context["rows"]
    assert [f.pk for f, _, _ in found] == [other.pk]
    # input the form refuses filters nothing and says why
    response = client.get(CHECKS, {"area": "9999"})
    assert len(response.context["rows"]) == 4 and "地域" in response.content.decode()


def test_pages_of_25(client_for, sheet, official):
    observation = value(official)
    FlaggedValueFactory.create_batch(27, observation=observation)
    client = client_for(official)
    first = client.get(CHECKS)
    assert len(first.context["rows"]) == 25 and first.context["has_next"]
    second = client.get(CHECKS, {"page": "2"})
    assert len(second.context["rows"]) == 2 and not second.context["has_next"]
    assert "26〜27件目" in second.content.decode()


CHECKS_QUERIES = 15


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff"])
def test_the_list_costs_the_same_queries_for_3_flags_or_30(
    client_for, sheet, official, iwakuni_staff, persona, django_assert_num_queries
):
    user = {"official": official, "iwakuni_staff": iwakuni_staff}[persona]
    client = client_for(user)
    observations = [value(official, region_code=code) for code in ("3501", "3508")] + [value(official)]
    for observation in observations:
        FlaggedValueFactory(observation=observation, flagged_by=official)
    client.get(CHECKS)  # warm the session
    listed = 3 if persona == "official" else 2  # staff: not 萩's value
    with django_assert_num_queries(CHECKS_QUERIES):
        assert len(client.get(CHECKS).context["rows"]) == listed
    for observation in observations:
        FlaggedValueFactory.create_batch(12, observation=observation, flagged_by=iwakuni_staff)
    resolve(client_for(official), FlaggedValue.objects.first())
    client = client_for(user)
    client.get(CHECKS)
    with django_assert_num_queries(CHECKS_QUERIES):
        assert len(client.get(CHECKS).context["rows"]) == 25


# --- rules on the definition page --------------------------------------------------------------


def test_the_definition_page_says_what_each_rule_means(client_for, sheet, viewer, official):
    page = client_for(viewer).get("/indicators/definitions/inpatients_1y_plus/").content.decode()
    assert (
        "同じ地域の前の期間の値から ±30％ を超えて変わったら（前の値が 0 のときは判定しません）、要確認として"
        in page
    )
    assert "修正zスコア（0.6745 ×｜値 − 中央値｜÷ 中央絶対偏差）が 3.5 を超えたら" in page
    assert (
        "同じ地域・期間の内訳（１年以上の長期在院者数（65歳以上）、１年以上の長期在院者数（65歳未満））の合計がこの値を超えるときは登録できません。"
        in page
    )
    assert "「入院精神障害者数（合計）」の値を超えるときは登録できません。" in page
    assert "検証ルールを追加" not in page and "使用をやめる" not in page
    page = client_for(official).get("/indicators/definitions/discharge_rate_3m/").content.decode()
    assert "割合は 0～100 の範囲でなければ登録できません。" in page and "±15ポイント" in page
    assert "検証ルールを追加" in page and "使用をやめる" in page


def test_officials_add_change_and_stop_a_rule_with_history(client_for, sheet, official):
    client = client_for(official)
    response = client.post(
        "/indicators/definitions/discharge_rate_3m/rules/new/",
        {
            "kind": "range",
            "severity": "hard",
            "minimum": "10",
            "maximum": "95",
            "threshold": "5",
            "note": "NDB の範囲",
        },
    )
    assert response.status_code == 302
    rule = ValidationRule.objects.get(indicator__code="discharge_rate_3m", kind="range")
    assert (rule.minimum, rule.maximum, rule.threshold, rule.is_active) == (10, 95, None, True)
    assert ChangeRecord.objects.for_object(rule).count() == 1
    page = client.get("/indicators/definitions/discharge_rate_3m/").content.decode()
    assert "値が許容範囲（下限 10％・上限 95％）の外なら、誤りとして登録できません。" in page

    response = client.post(
        f"/indicators/rules/{rule.pk}/edit/",
        {"kind": "range", "severity": "soft", "maximum": "98", "is_active": "on", "version": rule.version},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.severity, rule.minimum, rule.maximum, rule.version) == ("soft", None, 98, 2)

    assert client.post(f"/indicators/rules/{rule.pk}/deactivate/").status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and ChangeRecord.objects.for_object(rule).count() == 3
    # out of use: a value above it is no longer questioned
    response = client.post(
        "/indicators/values/new/",
        {"indicator": rule.indicator_id, "area": "3501", "period": "R2年度", "value": "99"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "range"}, "minimum", "許容範囲のルールには下限か上限を入力してください。"),
        ({"kind": "range", "minimum": "10", "maximum": "5"}, "maximum", "上限は下限以上にしてください。"),
        ({"kind": "change_percent"}, "threshold", "しきい値を入力してください。"),
        (
            {"kind": "zscore", "threshold": "0"},
            "threshold",
            "しきい値には 0 より大きい値を入力してください。",
        ),
        ({"kind": "zscore", "threshold": "abc"}, "threshold", "は数値で入力してください。"),
        ({"kind": "nonsense", "threshold": "3"}, "kind", "の選択肢が正しくありません。選び直してください。"),
    ],
)
def test_rule_form_errors(client_for, sheet, official, data, field, message):
    before = ValidationRule.objects.count()
    response = client_for(official).post(
        "/indicators/definitions/discharge_rate_3m/rules/new/", {"severity": "soft", **data}
    )
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    assert ValidationRule.objects.count() == before


def test_a_stale_rule_edit_is_refused(client_for, sheet, official):
    rule = ValidationRule.objects.get(indicator__code="discharge_rate_3m", kind="change_absolute")
    client = client_for(official)
    data = {
        "kind": "change_absolute",
        "severity": "soft",
        "threshold": "12",
        "is_active": "on",
        "version": rule.version,
    }
    assert client.post(f"/indicators/rules/{rule.pk}/edit/", data).status_code == 302
    response = client.post(f"/indicators/rules/{rule.pk}/edit/", {**data, "threshold": "20"})
    assert response.status_code == 200 and response.context["conflict_rows"]
    rule.refresh_from_db()
    assert rule.threshold == 12


def test_the_loader_seeds_the_default_rules_once_and_keeps_an_officials_changes(client_for, sheet, official):
    import io

    from django.core.management import call_command

    seeded = {(r.indicator.code, r.kind): r for r in ValidationRule.objects.select_related("indicator")}
    assert seeded[("discharge_rate_6m", "change_absolute")].threshold == 15
    assert seeded[("inpatients_1y_plus", "change_percent")].threshold == 30
    assert seeded[("inpatients_1y_plus", "modified_zscore")].threshold == Decimal("3.5")
    assert all(rule.severity == "soft" and rule.is_active for rule in seeded.values())
    client_for(official).post(
        f"/indicators/rules/{seeded[('inpatients_1y_plus', 'change_percent')].pk}/deactivate/"
    )
    out = io.StringIO()
    call_command("load_sheet", stdout=out)
    assert "作成: なし ／ 更新: なし" in out.getvalue()
    assert ValidationRule.objects.count() == len(seeded)
    assert not ValidationRule.objects.get(
        indicator__code="inpatients_1y_plus", kind="change_percent"
    ).is_active
    assert Observation.objects.exists()
