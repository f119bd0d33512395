"""The daily digest's content per role and region: what each user's mail says, and what it never says."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from meetings.models import ActionStatus, CaseStatus, MeetingStatus
from reminders.models import ActionFollow, ReminderSettings, SentReminder
from tests.factories import region
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, CaseReviewFactory, MeetingFactory
from tests.reminders.digest_helpers import DAY, body_of, mails_to, receive

pytestmark = pytest.mark.django_db


def send(day: date = DAY) -> str:
    out = io.StringIO()
    call_command("send_reminders", date=day.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def world(official, iwakuni_staff, hagi_staff):
    """Items of 岩国 (3501, iwakuni_staff's region) and 萩 (3508, hagi_staff's), on 2022-11-28."""
    own = MeetingFactory(title="第2回 岩国圏域連絡調整会議")
    other = MeetingFactory(region=region("3508"), title="第2回 萩圏域連絡調整会議")
    by_official = MeetingFactory(region=region("3508"), title="県が登録した萩の会議", created_by=official)
    items = {
        "near": ActionItemFactory(meeting=own, description="岩国の近い対応事項", due_date=date(2022, 12, 1)),
        "overdue": ActionItemFactory(meeting=own, description="岩国の期限超過", due_date=date(2022, 11, 20)),
        "far": ActionItemFactory(meeting=own, description="岩国の先の対応事項", due_date=date(2022, 12, 10)),
        "done": ActionItemFactory(
            meeting=own,
            description="岩国の完了した対応事項",
            due_date=date(2022, 11, 25),
            status=ActionStatus.DONE,
            completed_on=date(2022, 11, 24),
        ),
        "other": ActionItemFactory(meeting=other, description="萩の対応事項", due_date=date(2022, 11, 29)),
        "official_own": ActionItemFactory(
            meeting=by_official, description="県職員が登録した会議の対応事項", due_date=date(2022, 11, 30)
        ),
    }
    # 3 months after June: 2022-09-01 (overdue); 6 months: 2022-12-01 (within 7 days).
    items["case"] = CaseReviewFactory(
        status=CaseStatus.IN_COMMUNITY,
        discharge_month=date(2022, 6, 1),
        summary="退院後の住まいとして岩国のグループホームを検討した。",
    )
    items["case_other"] = CaseReviewFactory(
        meeting__region=region("3508"), status=CaseStatus.IN_COMMUNITY, discharge_month=date(2022, 6, 1)
    )
    items["meeting_soon"] = MeetingFactory(
        title="第3回 岩国圏域連絡調整会議", status=MeetingStatus.PLANNED, date=date(2022, 12, 2)
    )
    items["meeting_other"] = MeetingFactory(
        region=region("3508"),
        title="第3回 萩圏域連絡調整会議",
        status=MeetingStatus.PLANNED,
        date=date(2022, 12, 1),
    )
    items["meeting_later"] = MeetingFactory(
        title="第4回 岩国圏域連絡調整会議", status=MeetingStatus.PLANNED, date=date(2022, 12, 5)
    )
    items["proposal"] = AgendaItemFactory(
        meeting=None, region=region("3501"), origin="proposed", title="退院率の伸び悩みについて"
    )
    return items


def test_staff_get_their_regions_items_only(world, iwakuni_staff):
    receive(iwakuni_staff)
    send()
    (message,) = mails_to("iwakuni-staff@example.jp")
    body = body_of(message)
    assert "岩国の近い対応事項" in body and "岩国の期限超過" in body
    assert "第3回 岩国圏域連絡調整会議" in body
    assert world["case"].display_number in body
    # another region's items never appear, nor what is done, far off, past the week or only for officials
    for absent in (
        "萩",
        "岩国の完了した対応事項",
        "岩国の先の対応事項",
        "第4回 岩国圏域連絡調整会議",
        "退院率の伸び悩みについて",
        "提案された議題",
        world["case_other"].case_number,
    ):
        assert absent not in body, absent
    assert (
        message.subject
        == "【山口県 地域移行ポータル】期限が近い対応事項 1件・期限が近い追跡調査 1件・期限超過 2件"
    )


def test_the_body_is_grouped_with_a_link_each_and_the_settings_link(world, iwakuni_staff):
    receive(iwakuni_staff)
    send()
    body = body_of(mail.outbox[0])
    headings = [
        "■ 期限超過（1件）",
        "■ 期限が近い対応事項（1件）",
        "■ 追跡調査（2件、うち期限超過 1件）",
        "■ 今後7日間の会議（1件）",
    ]
    positions = [body.index(h) for h in headings]
    assert positions == sorted(positions)
    assert f"http://testserver/meetings/actions/{world['near'].pk}/" in body
    assert f"http://testserver/meetings/actions/{world['overdue'].pk}/" in body
    assert f"http://testserver/meetings/cases/{world['case'].pk}/" in body
    assert f"http://testserver/meetings/{world['meeting_soon'].pk}/" in body
    assert "期限 令和4年12月1日" in body
    assert body.rstrip().splitlines()[-2] == "http://testserver/reminders/settings/"
    assert "iwakuni-staff 様" in body.splitlines()[0]


def test_no_case_detail_only_numbers_and_counts(world, iwakuni_staff):
    receive(iwakuni_staff)
    send()
    body = body_of(mail.outbox[0])
    case = world["case"]
    assert f"・事例番号 {case.display_number}：退院後3か月（期限 令和4年9月1日・期限超過）" in body
    assert f"・事例番号 {case.display_number}：退院後6か月（期限 令和4年12月1日）" in body
    for detail in (
        case.summary,
        "グループホーム",
        case.get_age_band_display(),
        case.get_stay_band_display(),
        case.get_diagnosis_group_display(),
        *case.barrier_labels,
        *case.support_labels,
        case.get_status_display(),
    ):
        assert detail not in body, detail


def test_officials_get_their_meetings_items_followed_ones_and_waiting_proposals(world, official):
    ActionFollow.objects.create(user=official, action=world["near"])
    receive(official)
    send()
    (message,) = mails_to("official@example.jp")
    body = body_of(message)
    assert "県職員が登録した会議の対応事項" in body  # a meeting they created (in 萩)
    assert "岩国の近い対応事項" in body  # one they follow
    assert "■ 提案された議題（会議の計画待ち 1件）" in body
    assert "岩国圏域：退院率の伸び悩みについて" in body
    assert "http://testserver/meetings/proposals/" in body
    # neither created nor followed: not theirs; cases of meetings they did not create: none
    for absent in (
        "岩国の期限超過",
        "萩の対応事項",
        "追跡調査",
        world["case"].case_number,
        world["case"].display_number,
    ):
        assert absent not in body, absent


def test_the_users_number_of_days_is_respected(world, iwakuni_staff):
    receive(iwakuni_staff, lead_days=14)
    send()
    body = body_of(mail.outbox[0])
    assert "岩国の先の対応事項" in body  # due in 12 days
    assert "期限の14日前から" in body


def test_zero_days_lists_only_what_is_due_today_or_overdue(world, iwakuni_staff):
    receive(iwakuni_staff, lead_days=0)
    send()
    body = body_of(mail.outbox[0])
    assert "岩国の期限超過" in body
    assert "岩国の近い対応事項" not in body


def test_a_done_item_is_absent(world, iwakuni_staff):
    receive(iwakuni_staff)
    world["near"].status = ActionStatus.DONE
    world["near"].completed_on = date(2022, 11, 27)
    world["near"].save()
    send()
    assert "岩国の近い対応事項" not in body_of(mail.outbox[0])


def test_no_mail_when_nothing_is_due(iwakuni_staff, hagi_staff):
    ActionItemFactory(description="岩国の対応事項", due_date=date(2022, 12, 1))  # 岩国's, not 萩's
    receive(hagi_staff)
    out = send()
    assert mail.outbox == []
    assert not SentReminder.objects.exists()
    assert "0人に送信（0件）" in out


def test_viewers_get_nothing(world, viewer):
    receive(viewer)
    send()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "change",
    [
        {"digest_enabled": False},
        {"confirmed_email": ""},  # never confirmed
        {"confirmed_email": "old@example.jp"},  # a new address not confirmed yet
    ],
)
def test_no_digest_unless_on_and_confirmed(world, iwakuni_staff, change):
    receive(iwakuni_staff)
    ReminderSettings.objects.filter(user=iwakuni_staff).update(**change)
    send()
    assert mail.outbox == []


def test_an_inactive_user_gets_nothing(world, iwakuni_staff):
    receive(iwakuni_staff)
    iwakuni_staff.is_active = False
    iwakuni_staff.save()
    send()
    assert mail.outbox == []


def test_only_meetings_and_proposals_make_the_subject_say_so(official):
    MeetingFactory(
        title="県の会議", status=MeetingStatus.PLANNED, date=date(2022, 11, 30), created_by=official
    )
    receive(official)
    send()
    assert mail.outbox[0].subject == "【山口県 地域移行ポータル】今後7日間の会議 1件"
