"""In Chromium: iwakuni staff record a session with attendee counts and find it in the list."""

import pytest

from training.models import TrainingSession


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_record_a_session_and_see_it_listed(page, login, live_server, iwakuni_staff):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/training/")
    page.get_by_role("link", name="研修を登録する").click()
    page.get_by_label("研修区分").select_option(label="多職種連携研修")
    page.get_by_label("研修名").fill("岩国圏域 多職種連携研修")
    page.get_by_label("開始日").fill("2022-10-14")
    page.get_by_label("終了日").fill("2022-10-14")
    page.get_by_label("研修時間（時間）").fill("2.5")
    page.get_by_label("会場").fill("岩国健康福祉センター")
    page.get_by_label("精神科病院：看護師").fill("6")
    page.get_by_label("相談支援事業所").fill("4")
    page.get_by_label("当事者・ピアサポーター").fill("2")
    page.get_by_label("アンケート回答数").fill("12")
    page.get_by_label("満足と回答した人数").fill("9")
    page.get_by_role("button", name="保存する").click()

    page.wait_for_url(f"{live_server.url}/training/*/")
    assert "研修を登録しました。" in page.content()
    assert page.get_by_test_id("satisfaction").inner_text().startswith("9人 / 回答 12人（75.0%）")
    session = TrainingSession.objects.get()
    assert session.region.code == "3501"
    assert {a.organisation_type: a.count for a in session.attendances.all()} == {
        "hospital_nurse": 6,
        "consultation_office": 4,
        "peer": 2,
    }

    page.goto(f"{live_server.url}/training/?fiscal_year=2022")
    row = page.get_by_test_id("session-table").get_by_role("row", name="岩国圏域 多職種連携研修")
    assert "令和4年10月14日" in row.inner_text()
    assert "12人" in row.inner_text()
    assert "岩国健康福祉センター" in row.inner_text()
    assert page.console_errors == []
