"""In Chromium: iwakuni staff propose an indicator behind target from the dashboard (the button submits a
form drawn outside the cached table), find it on the proposals list, register the meeting from there with
the proposal ticked, and close an action item on its own page."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from meetings.models import AgendaItem, Meeting
from tests.factories import region
from tests.meetings.factories import ActionItemFactory, region_value


@pytest.fixture
def behind(reference_data):
    call_command("load_sheet", stdout=io.StringIO())
    region_value("discharge_rate_3m", region("3501"), Decimal("40.0"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_from_the_dashboard_to_the_meetings_agenda(page, login, live_server, iwakuni_staff, behind):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/indicators/")
    status = page.locator("#status")
    status.get_by_role("button", name="次の会議の議題にする").click()

    page.wait_for_url(f"{live_server.url}/indicators/")
    assert "岩国圏域の提案一覧に加えました" in page.locator(".alert").first.inner_text()
    assert status.get_by_text("提案済み（会議の計画待ち）").is_visible()
    assert status.get_by_role("button", name="次の会議の議題にする").count() == 0
    item = AgendaItem.objects.waiting().get()

    status.get_by_role("link", name="提案済み（会議の計画待ち）").click()
    page.wait_for_url("**/meetings/proposals/")
    assert page.get_by_role("cell", name=item.title).is_visible()
    page.get_by_role("link", name="この圏域の会議を登録").click()

    page.wait_for_url("**/meetings/new/?**")
    assert page.get_by_label("種別").input_value() == "regional_coordination"
    assert page.locator("#id_status").input_value() == "planned"
    assert page.get_by_label(item.title).is_checked()
    day = timezone.localdate().replace(day=1)
    page.get_by_label("会議名").fill("第3回 岩国圏域連絡調整会議")
    page.get_by_label("開催日").fill(day.replace(year=day.year + 1).isoformat())
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [item.title]
    assert page.get_by_test_id("agenda-item").filter(has_text=item.title).is_visible()
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_closing_an_action_item_on_its_own_page(page, login, live_server, iwakuni_staff, reference_data):
    action = ActionItemFactory(description="グループホームの空き状況を確認する")
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/meetings/{action.meeting_id}/")
    page.get_by_role("link", name="状況を更新").click()

    page.wait_for_url(f"**/meetings/actions/{action.pk}/")
    page.get_by_label("状況").select_option(label="完了")
    page.get_by_role("button", name="保存").click()
    assert (
        "状況が「完了」のときは完了日を入力してください。"
        in page.locator("#id_completed_on_error").inner_text()
    )
    page.get_by_label("完了日").fill("2022-12-10")
    page.get_by_role("button", name="保存").click()

    page.wait_for_selector("text=を更新しました")
    assert "完了（令和4年12月10日 完了）" in page.get_by_test_id("action-status").inner_text()
    action.refresh_from_db()
    assert action.status == "done"
    assert page.console_errors == []
