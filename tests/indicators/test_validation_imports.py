"""The validation rules in imports: judged row by row before anything is saved — one hard row refuses
the whole file; soft rows are listed in the preview and confirmed once for the file with a note, each
flagged with the batch; the file's own earlier rows count as history."""

from decimal import Decimal

import pytest

from indicators.importing import RawRow
from indicators.models import FlaggedValue, ImportBatch, Indicator, Observation
from indicators.services import imports as import_services
from indicators.services import observation_record
from regions.models import Prefecture
from tests.factories import ValidationRuleFactory
from tests.indicators.helpers import csv_file
from tests.indicators.test_imports import URL, state, upload

# discharge_rate_3m of the prefecture: H29年度 48.6 %, and the seeded soft rule of at most 15 points.
SOFT_ROW = "discharge_rate_3m,350001,R2年度,70,NDB,,"
SOFT_MESSAGE = (
    "70.0％ は前の期間（平成29年度）の値 48.6％から 21.4ポイント 増えています（目安: ±15ポイントまで）。"
)


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def everything():
    return (*state(), FlaggedValue.objects.count())


def test_one_hard_row_refuses_the_whole_file(client):
    ValidationRuleFactory(
        indicator=Indicator.objects.get(code="discharge_rate_6m"),
        kind="range",
        severity="hard",
        minimum=30,
        maximum=95,
        threshold=None,
    )
    before = everything()
    response = upload(
        client,
        csv_file(
            [
                "discharge_rate_3m,3501,R2年度,50.1,NDB,,",  # 2: fine
                "discharge_rate_6m,350001,R2年度,96,NDB,,",  # 3: above the hard bound
                SOFT_ROW,  # 4: soft only
                "inpatients_1y_plus_65_over,350001,R3年6月,3500,630調査,,1",  # 5: a part above its total
            ]
        ),
    )
    assert response.status_code == 200
    errors = [str(e) for e in response.context["errors"]]
    assert errors[0] == (
        "3行目（値）: 許容範囲: 下限 30％・上限 95％: 96.0％ は許容範囲（下限 30％・上限 95％）の外です"
        "（前の期間（平成29年度）の値 69.6％）。"
    )
    assert errors[1].startswith(
        "5行目（値）: 内訳が合計を超えない: １年以上の長期在院者数（慢性期入院需要）（令和3年6月）"
    )
    assert "の合計 4,533 人 が合計 3,496 人 を超えています。" in errors[1]
    assert len(errors) == 2  # the soft row is no error
    assert "取り込めない行があります（2件）" in response.content.decode()
    assert everything() == before  # no batch, no value, no flag


def test_soft_rows_are_listed_and_need_one_note_for_the_file(client, official):
    before = everything()
    response = upload(
        client,
        csv_file(
            [
                SOFT_ROW,
                "discharge_rate_6m,350001,R2年度,90,NDB,,",  # 69.6 → 90: 20.4 points, soft too
                "discharge_rate_12m,350001,R2年度,80,NDB,,",  # 78.7 → 80: fine
            ]
        ),
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    preview = client.get(response.url)
    page = preview.content.decode()
    assert "検証ルールで「要確認」となった値が2件あります" in page and SOFT_MESSAGE in page
    assert page.count('data-testid="row-findings"') == 2
    digest = preview.context["confirm_form"]["confirmed_digest"].value()

    response = client.post(f"{URL}{batch.pk}/confirm/", {"note": "", "confirmed_digest": digest})
    assert response.status_code == 200
    assert response.context["confirm_form"].errors["note"] == [
        "「要確認」の値があるため、確認のメモを入力してください。"
    ]
    batch.refresh_from_db()
    assert batch.status == "pending" and everything()[0] == before[0] and not FlaggedValue.objects.exists()

    response = client.post(
        f"{URL}{batch.pk}/confirm/", {"note": "NDB 公表値（R2年度）と照合済み", "confirmed_digest": digest}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.created_count == 3
    flags = list(
        FlaggedValue.objects.select_related("observation__indicator").order_by("observation__indicator__code")
    )
    assert [(f.observation.indicator.code, f.import_batch, f.note, f.flagged_by) for f in flags] == [
        ("discharge_rate_3m", batch, "NDB 公表値（R2年度）と照合済み", official),
        ("discharge_rate_6m", batch, "NDB 公表値（R2年度）と照合済み", official),
    ]
    assert flags[0].message == SOFT_MESSAGE
    record = client.get(f"{URL}{batch.pk}/").content.decode()
    assert "この取り込みで2件の値が「確認が必要な値」に載りました。" in record


def test_a_confirmation_is_for_the_findings_the_preview_showed(client, official):
    """The data changed between the preview and the confirmation: other findings, asked again."""
    response = upload(client, csv_file([SOFT_ROW]))
    batch = ImportBatch.objects.get()
    digest = client.get(response.url).context["confirm_form"]["confirmed_digest"].value()
    observation_record(  # meanwhile H29年度 is corrected to 50: +20 points now
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=Prefecture.objects.get(code="350001"),
        period_text="H29年度",
        value=Decimal("50"),
    )
    response = client.post(f"{URL}{batch.pk}/confirm/", {"note": "照合済み", "confirmed_digest": digest})
    assert response.status_code == 200
    assert response.context["confirm_form"].errors["note"] == [
        "確認画面を表示した後に内容が変わりました。もう一度確認して、取り込んでください。"
    ]
    assert not Observation.objects.filter(indicator__code="discharge_rate_3m", period_key="fy:2020").exists()
    digest = response.context["confirm_form"]["confirmed_digest"].value()
    assert (
        client.post(f"{URL}{batch.pk}/confirm/", {"note": "照合済み", "confirmed_digest": digest}).status_code
        == 302
    )


def test_a_file_without_questioned_values_needs_no_note(client):
    response = upload(client, csv_file(["discharge_rate_3m,350001,R2年度,50.1,NDB,,"]))
    batch = ImportBatch.objects.get()
    preview = client.get(response.url).content.decode()
    assert "確認のメモ" not in preview
    assert client.post(f"{URL}{batch.pk}/confirm/").status_code == 302
    assert not FlaggedValue.objects.exists()


def test_the_files_own_earlier_rows_are_the_history_of_its_later_ones(client):
    """Four 年度 of one region in one file, in no order; the last is ten times too big."""
    response = upload(
        client,
        csv_file(
            [
                "inpatients_1y_plus,3501,R5年6月30日,3520,630調査,,",
                "inpatients_1y_plus,3501,R2年6月30日,350,630調査,,",
                "inpatients_1y_plus,3501,R4年6月30日,352,630調査,,",
                "inpatients_1y_plus,3501,R3年6月30日,355,630調査,,",
            ]
        ),
    )
    assert response.status_code == 302
    preview = client.get(response.url)
    findings = {row.line: [f.message for f in row.findings] for row in preview.context["checked"]}
    assert findings[3] == findings[4] == findings[5] == []
    assert (
        findings[2][0]
        == "3,520人 は前の期間（令和4年6月30日）の値 352人から 900.0％ 増えています（目安: ±30％まで）。"
    )
    assert "修正zスコア" in findings[2][1]  # R2–R4 (350, 355, 352) are its history too


def test_saving_again_by_import_closes_flags_and_undo_closes_the_imports_own(client, official):
    response = upload(client, csv_file([SOFT_ROW]))
    first = ImportBatch.objects.get()
    digest = client.get(response.url).context["confirm_form"]["confirmed_digest"].value()
    client.post(f"{URL}{first.pk}/confirm/", {"note": "照合済み", "confirmed_digest": digest})
    flag = FlaggedValue.objects.get()
    # the value corrected by a second file: its flag no longer applies
    assert upload(client, csv_file(["discharge_rate_3m,350001,R2年度,50.2,NDB,,1"])).status_code == 302
    second = ImportBatch.objects.latest("pk")
    assert client.post(f"{URL}{second.pk}/confirm/").status_code == 302
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolution == (
        "取り込み（data.csv）で値が再び登録され、検証でこの指摘に当たらなくなったため、自動で確認済みにしました。"
    )
    # a third file puts a questioned value back; undoing it closes the flag it raised
    response = upload(client, csv_file(["discharge_rate_3m,350001,R2年度,70,NDB,,1"]))
    third = ImportBatch.objects.latest("pk")
    digest = client.get(response.url).context["confirm_form"]["confirmed_digest"].value()
    assert (
        client.post(f"{URL}{third.pk}/confirm/", {"note": "照合済み", "confirmed_digest": digest}).status_code
        == 302
    )
    raised = FlaggedValue.objects.get(import_batch=third)
    assert raised.resolved_at is None
    client.post(f"{URL}{third.pk}/undo/", {"confirmed": "yes"})
    raised.refresh_from_db()
    assert raised.resolution == "取り込みの取り消しで値が取り込み前に戻ったため、自動で確認済みにしました。"
    assert not FlaggedValue.objects.unresolved().exists()


def test_the_service_refuses_without_a_note_too(official, sheet):
    batch = import_services.import_batch_create(
        by=official,
        prefecture=Prefecture.objects.get(code="350001"),
        file_name="x.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_3m", area="350001", period="R2年度", value="70")],
    )
    with pytest.raises(import_services.ConfirmationNeeded) as refused:
        import_services.import_batch_apply(by=official, batch=batch)
    assert refused.value.note_missing and refused.value.messages == [f"2行目: {SOFT_MESSAGE}"]
    with pytest.raises(import_services.ConfirmationNeeded):
        import_services.import_batch_apply(by=official, batch=batch, note="照合済み", confirmed_digest="0")
    import_services.import_batch_apply(
        by=official, batch=batch, note="照合済み", confirmed_digest=refused.value.digest
    )
    assert FlaggedValue.objects.get().import_batch == batch


def test_the_rules_cost_the_same_queries_for_3_rows_or_60(sheet, official):
    """Judging every row reads the rules and the stored values once (check_rows: areas, indicators,
    existing values, rules, stored values), whatever the rows and rules."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.importing import check_rows

    prefecture = Prefecture.objects.get(code="350001")

    def queries(count):
        rows = [
            RawRow(
                line=n + 2,
                indicator="inpatients_1y_plus",
                area="3501",
                period=f"{1950 + n}年",
                value=str(300 + n),
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as ctx:
            checked, errors = check_rows(rows, prefecture=prefecture)
        assert len(checked) == count and not errors
        return len(ctx.captured_queries)

    few = queries(3)
    ValidationRuleFactory.create_batch(
        3, indicator=Indicator.objects.get(code="inpatients_1y_plus"), kind="zscore", threshold=5
    )
    assert queries(60) == few
