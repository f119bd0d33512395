"""In Chromium, without any page script: each one-click action now opens its confirmation page; 「戻る」
changes nothing, the confirming button acts. Deleting a meeting and undoing an import here; publishing
an edition in tests/sheets/test_publish_confirm_browser.py (it needs the loaded sheet)."""

import pytest

from indicators.importing import RawRow
from indicators.models import ImportBatch, Observation
from indicators.services import imports as import_services
from meetings.models import Meeting
from regions.models import Prefecture
from tests.factories import region
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.browser


def test_staff_delete_a_meeting_after_reading_what_happens(page, login, live_server, iwakuni_staff):
    meeting = MeetingFactory(region=region("3501"), title="第3回 岩国圏域 協議の場")
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")

    page.get_by_role("link", name="この会議を削除").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/delete/")
    what = page.get_by_test_id("confirm-what").inner_text()
    assert "会議「第3回 岩国圏域 協議の場」" in what
    assert "県職員だけが復元できます" in what
    page.get_by_role("link", name="戻る").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert Meeting.objects.get(pk=meeting.pk).deleted_at is None

    page.get_by_role("link", name="この会議を削除").click()
    page.get_by_role("button", name="削除する").click()
    page.wait_for_url(f"{live_server.url}/meetings/")
    assert "を削除しました（県職員が復元できます）" in page.locator(".alert-success").inner_text()
    assert Meeting.objects.get(pk=meeting.pk).deleted_at is not None
    assert page.console_errors == []


def test_an_official_undoes_an_import_after_reading_what_it_changes(
    page, login, live_server, official, sheet
):
    pref = Prefecture.objects.get(code="350001")
    batch = import_services.import_batch_create(
        by=official,
        prefecture=pref,
        file_name="r2.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_6m", area="350001", period="R2年度", value="71")],
    )
    import_services.import_batch_apply(by=official, batch=batch)
    created = ImportBatch.objects.get(pk=batch.pk).changes.get().observation_pk
    login(page, official)
    page.goto(f"{live_server.url}/indicators/imports/{batch.pk}/")
    assert "71.0％" in page.get_by_test_id("changes").inner_text()  # as the preview wrote it

    page.get_by_role("link", name="この取り込みを取り消す").click()
    what = page.get_by_test_id("confirm-what").inner_text()
    assert "更新した 0 件の値は、取り込み前の値に戻します。" in what
    assert "新しく追加した 1 件の値は削除します。" in what
    page.get_by_role("link", name="戻る").click()
    page.wait_for_url(f"**/indicators/imports/{batch.pk}/")
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"
    assert Observation.objects.filter(pk=created).exists()

    page.get_by_role("link", name="この取り込みを取り消す").click()
    page.get_by_role("button", name="取り消す").click()
    page.wait_for_url(f"**/indicators/imports/{batch.pk}/")
    assert "取り込みを取り消しました" in page.locator(".alert-success").inner_text()
    assert ImportBatch.objects.get(pk=batch.pk).status == "undone"
    assert not Observation.objects.filter(pk=created).exists()
    assert page.console_errors == []
