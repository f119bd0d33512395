"""Who may open and post to what: one table of persona × URL × method × expected status (as NetBox's
generated view tests), covering every URL of the URLconf.

`test_every_url_has_a_row` fails when a URL is added without a row here: a new page decides its
permissions in this table before it ships. Each (row, persona) pair is its own test case with exactly
one expected status; every refused write (a POST answered with anything but the redirect of a saved
form) must leave the database as it was.

The dataset is built once per module inside a transaction that is rolled back at the end; every test
runs in a savepoint inside it (pytest-django's `db`), so a permitted write is undone before the next case.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from accounts.roles import is_prefecture
from indicators.importing import RawRow
from indicators.models import FlaggedValue, Indicator, Observation, Plan, Target, ValidationRule
from indicators.services import imports as import_services
from indicators.services import observation_record
from meetings.models import ActionItem, Meeting
from regions.models import Prefecture
from reminders import feeds as reminder_feeds
from sheets import pdf as sheet_pdf
from sheets import publication as sheet_publication
from sheets.models import Edition
from tests.factories import DataSetFactory, Role, make_user, region
from tests.indicators.helpers import csv_file, observe
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseReviewFactory,
    MeetingFactory,
    meeting_form_data,
)
from tests.otp import mark_otp_checked, mark_otp_verified
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory
from tests.training.helpers import peer_post_data, session_post_data
from training.models import TrainingSession

PERSONAS = ("anonymous", "official", "iwakuni_staff", "hagi_staff", "viewer")
STUB_PDF = b"%PDF-1.4\n% permission-table stub\n"

# Tables a request may write to whatever it is allowed to do: the session, the audit trail, the
# sign-in limits and the download log are bookkeeping, not the records a refused write must leave alone.
BOOKKEEPING = {
    "sessions.session",
    "core.auditevent",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accessattemptexpiration",
    "axes.accesslog",
    "auth.user",  # last_login
}


@dataclass(frozen=True)
class Row:
    """`statuses` in PERSONAS order. `url` is formatted with the dataset's ids; `data(ds)` builds the
    POST body. A POST answered 302 to a signed-in persona is a permitted write, as is any answer to the
    personas in `writes`; every other POST is a refusal and is checked to have changed nothing."""

    name: str
    method: str
    url: str
    statuses: tuple[int, int, int, int, int]
    data: object = None
    label: str = ""
    writes: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.method} {self.name} {self.label or self.url}"


SIGNED_IN = (302, 200, 200, 200, 200)  # anonymous → sign-in page, everyone signed in reads
OFFICIALS = (302, 200, 403, 403, 403)
WRITERS = (302, 200, 200, 200, 403)
POST_OFFICIALS = (302, 302, 403, 403, 403)


def _meeting_post(ds):
    return meeting_form_data(meeting=Meeting.objects.get(pk=ds["meeting_own"]), title="書き換えた会議名")


def _meeting_create(ds):
    return meeting_form_data(region=region("3501"))


def _session_post(ds):
    session = TrainingSession.objects.get(pk=ds["session_own"])
    return session_post_data(title="変更後の研修名", region=region("3501").pk, version=session.version)


def _session_create(ds):
    return session_post_data(region=region("3501").pk)


def _followups(ds):
    # follow-ups are versioned with their meeting: the page posts the version it was loaded with
    version = Meeting.objects.get(cases__pk=ds["case_own"]).version
    return {
        "version": version,
        "f3-status": "in_community",
        "f3-note": "GHで生活",
        "f6-status": "",
        "f12-status": "",
    }


def _proposal(ds):
    return {"indicator": ds["rate_6m"], "region": region("3501").pk, "next": "/indicators/?region=3501"}


def _action_update(ds):
    # an action item is versioned with its meeting: the page posts the meeting's version it was loaded with
    action = ActionItem.objects.select_related("meeting").get(pk=ds["action_own"])
    return {
        "version": action.meeting.version,
        "status": "in_progress",
        "completed_on": "",
        "due_date": "2023-03-31",
    }


def _observation_create(ds):
    rate = ds["rate_6m"]
    return {"indicator": rate, "area": "350001", "period": "R1年度", "value": "60"}


def _observation_create_own(ds):
    return {"indicator": ds["rate_6m"], "area": "3501", "period": "R1年度", "value": "60"}


def _target_create(ds):
    return {
        "indicator": ds["rate_6m"],
        "plan": ds["plan"],
        "area": "350001",
        "fiscal_year": "R5年度",
        "value": "1",
        "comparator": "gte",
    }


def _definition_create(ds):
    return {
        "code": "x",
        "name_ja": "x",
        "value_type": "number",
        "decimal_places": 0,
        "direction": "neutral",
        "display_order": 0,
    }


def _plan_create(ds):
    return {"name": "x", "issuer": "national", "first_fiscal_year": 2027, "last_fiscal_year": 2029}


def _import_upload(ds):
    return {"file": csv_file(["discharge_rate_12m,350001,R2年度,80,,,"])}


def _empty(ds):
    return {}


def _wide_upload(ds):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.national.helpers import SAMPLE_CSV

    return {"file": SimpleUploadedFile(SAMPLE_CSV.name, SAMPLE_CSV.read_bytes()), "source": "NDB"}


def _wide_mapping(ds):
    from tests.national.helpers import SAMPLE_MAPPING

    data = {"layout_name": "NDB"}
    for index, code in SAMPLE_MAPPING.items():
        data[f"indicator_{index}"] = code
        data[f"period_{index}"] = "令和元年度" if index % 2 == 0 else "令和2年度"
    return data


def _layout_rename(ds):
    return {"name": "NDB 退院率"}


def _confirmed(ds):
    """What a confirmation page (core.confirm) posts."""
    return {"confirmed": "yes"}


def _rule_create(ds):
    return {"kind": "range", "severity": "hard", "minimum": "0", "maximum": "100"}


def _rule_edit(ds):
    rule = ValidationRule.objects.get(pk=ds["rule"])
    return {
        "kind": rule.kind,
        "severity": "hard",
        "threshold": "20",
        "is_active": "on",
        "version": rule.version,
    }


def _resolve(ds):
    return {"resolution": "出典と照合済み"}


def _reminder_settings(ds):
    return {"digest_enabled": "on", "email": "someone@example.jp", "lead_days": "7"}


ROWS = [
    # --- home, health check, regions
    Row("home", "GET", "/", SIGNED_IN),
    Row("healthz", "GET", "/healthz", (200, 200, 200, 200, 200)),
    Row("regions:list", "GET", "/regions/", SIGNED_IN),
    Row("regions:detail", "GET", "/regions/3501/", SIGNED_IN),
    Row("regions:detail", "GET", "/regions/9999/", (302, 404, 404, 404, 404)),
    # --- accounts
    Row("accounts:login", "GET", "/accounts/login/", (200, 302, 302, 302, 302)),
    Row("accounts:logout", "GET", "/accounts/logout/", (302, 405, 405, 405, 405)),
    Row("accounts:logout", "POST", "/accounts/logout/", (302, 302, 302, 302, 302), data=_empty),
    Row("accounts:password_change", "GET", "/accounts/password/", SIGNED_IN),
    Row("accounts:password_change_done", "GET", "/accounts/password/done/", SIGNED_IN),
    Row("accounts:otp_setup", "GET", "/accounts/otp/", SIGNED_IN),
    Row("accounts:otp_verify", "GET", "/accounts/otp/verify/", (302, 302, 302, 302, 302)),
    Row("accounts:otp_recovery_codes", "GET", "/accounts/otp/recovery-codes/", (302, 405, 405, 405, 405)),
    Row(
        "accounts:otp_recovery_codes",
        "POST",
        "/accounts/otp/recovery-codes/",
        (302, 200, 302, 302, 302),  # officials get new codes shown; staff have no device to add them to
        data=_empty,
        writes=("official",),
    ),
    Row("accounts:otp_disable", "POST", "/accounts/otp/disable/", (302, 302, 302, 302, 302), data=_empty),
    Row("accounts:locked_accounts", "GET", "/accounts/locked/", OFFICIALS),
    Row("audit:index", "GET", "/audit/", OFFICIALS),
    Row("audit:export", "GET", "/audit/export.csv", OFFICIALS),
    # --- meetings
    Row("meetings:index", "GET", "/meetings/", SIGNED_IN),
    Row("meetings:export", "GET", "/meetings/export.csv", SIGNED_IN),
    Row("meetings:export", "GET", "/meetings/export.xlsx", SIGNED_IN),
    Row("meetings:export", "GET", "/meetings/export.pdf", (302, 404, 404, 404, 404)),
    Row("meetings:agenda_export", "GET", "/meetings/agenda-export.csv", SIGNED_IN),
    Row("meetings:agenda_export", "GET", "/meetings/agenda-export.xlsx", SIGNED_IN),
    Row("meetings:agenda_export", "GET", "/meetings/agenda-export.pdf", (302, 404, 404, 404, 404)),
    Row("meetings:create", "GET", "/meetings/new/", WRITERS),
    Row(
        "meetings:create",
        "POST",
        "/meetings/new/",
        (302, 302, 302, 200, 403),
        data=_meeting_create,
        label="/meetings/new/ (region 3501)",
    ),
    Row("meetings:detail", "GET", "/meetings/{meeting_own}/", SIGNED_IN, label="own meeting"),
    Row("meetings:detail", "GET", "/meetings/{meeting_other}/", SIGNED_IN, label="other meeting"),
    Row(
        "meetings:detail",
        "GET",
        "/meetings/{meeting_deleted}/",
        (302, 200, 404, 404, 404),
        label="deleted meeting",
    ),
    Row("meetings:detail", "GET", "/meetings/999999/", (302, 404, 404, 404, 404), label="no meeting"),
    Row("meetings:edit", "GET", "/meetings/{meeting_own}/edit/", (302, 200, 200, 403, 403), label="own"),
    Row("meetings:edit", "GET", "/meetings/{meeting_other}/edit/", (302, 200, 403, 200, 403), label="other"),
    Row(
        "meetings:edit",
        "GET",
        "/meetings/{meeting_pref}/edit/",
        (302, 200, 403, 403, 403),
        label="prefecture-wide",
    ),
    Row(
        "meetings:edit",
        "GET",
        "/meetings/{meeting_deleted}/edit/",
        (302, 404, 404, 404, 403),
        label="deleted",
    ),
    Row(
        "meetings:edit",
        "POST",
        "/meetings/{meeting_own}/edit/",
        (302, 302, 302, 403, 403),
        data=_meeting_post,
        label="own",
    ),
    # deleting, restoring, undoing and publishing: the GET is the confirmation page, answered as the
    # action would be; a POST without its confirmation field is refused (400) and changes nothing
    Row("meetings:delete", "GET", "/meetings/{meeting_own}/delete/", (302, 200, 200, 403, 403), label="own"),
    Row(
        "meetings:delete",
        "GET",
        "/meetings/{meeting_pref}/delete/",
        (302, 200, 403, 403, 403),
        label="prefecture-wide",
    ),
    Row(
        "meetings:delete",
        "GET",
        "/meetings/{meeting_deleted}/delete/",
        (302, 404, 404, 404, 403),  # viewers never write: refused before the meeting is looked up
        label="deleted already",
    ),
    Row(
        "meetings:delete",
        "POST",
        "/meetings/{meeting_own}/delete/",
        (302, 400, 400, 403, 403),
        data=_empty,
        label="own, unconfirmed",
    ),
    Row(
        "meetings:delete",
        "POST",
        "/meetings/{meeting_own}/delete/",
        (302, 302, 302, 403, 403),
        data=_confirmed,
        label="own",
    ),
    Row(
        "meetings:delete",
        "POST",
        "/meetings/{meeting_pref}/delete/",
        (302, 302, 403, 403, 403),
        data=_confirmed,
        label="prefecture-wide",
    ),
    Row(
        "meetings:restore",
        "GET",
        "/meetings/{meeting_deleted}/restore/",
        (302, 200, 403, 403, 403),
        label="deleted",
    ),
    Row(
        "meetings:restore",
        "POST",
        "/meetings/{meeting_deleted}/restore/",
        (302, 400, 403, 403, 403),
        data=_empty,
        label="deleted, unconfirmed",
    ),
    Row(
        "meetings:restore",
        "POST",
        "/meetings/{meeting_deleted}/restore/",
        POST_OFFICIALS,
        data=_confirmed,
        label="deleted",
    ),
    Row(
        "meetings:restore",
        "POST",
        "/meetings/{meeting_own}/restore/",
        (302, 404, 403, 403, 403),
        data=_confirmed,
        label="not deleted",
    ),
    Row("meetings:history", "GET", "/meetings/{meeting_own}/history/", SIGNED_IN),
    Row(
        "meetings:history",
        "GET",
        "/meetings/{meeting_deleted}/history/",
        (302, 200, 404, 404, 404),
        label="deleted",
    ),
    Row("meetings:case_list", "GET", "/meetings/cases/", WRITERS),
    Row("meetings:case_detail", "GET", "/meetings/cases/{case_own}/", (302, 200, 200, 403, 403), label="own"),
    Row(
        "meetings:case_detail",
        "GET",
        "/meetings/cases/{case_other}/",
        (302, 200, 403, 200, 403),
        label="other",
    ),
    Row(
        "meetings:case_detail",
        "GET",
        "/meetings/cases/{case_deleted}/",
        (302, 404, 404, 404, 403),
        label="of a deleted meeting",
    ),
    Row(
        "meetings:case_detail",
        "POST",
        "/meetings/cases/{case_own}/",
        (302, 302, 302, 403, 403),
        data=_followups,
        label="own follow-ups",
    ),
    Row("meetings:success_list", "GET", "/meetings/success/", SIGNED_IN),
    # --- the PDCA loop: proposals from the dashboard, action items on their own
    Row("meetings:proposals", "GET", "/meetings/proposals/", SIGNED_IN),
    Row("meetings:proposal_create", "GET", "/meetings/proposals/new/", (302, 405, 405, 405, 405)),
    Row(
        "meetings:proposal_create",
        "POST",
        "/meetings/proposals/new/",
        (302, 302, 302, 403, 403),
        data=_proposal,
        label="/meetings/proposals/new/ (region 3501)",
    ),
    Row(
        "meetings:proposal_withdraw",
        "GET",
        "/meetings/proposals/{proposal_own}/withdraw/",
        (302, 405, 405, 405, 405),
    ),
    Row(
        "meetings:proposal_withdraw",
        "POST",
        "/meetings/proposals/{proposal_own}/withdraw/",
        (302, 302, 302, 403, 403),
        data=_empty,
        label="own",
    ),
    Row(
        "meetings:proposal_withdraw",
        "POST",
        "/meetings/proposals/{agenda_item_own}/withdraw/",
        (302, 404, 404, 404, 403),
        data=_empty,
        label="an item on a meeting (not waiting)",
    ),
    Row("meetings:action_list", "GET", "/meetings/actions/", SIGNED_IN),
    Row("meetings:action_detail", "GET", "/meetings/actions/{action_own}/", SIGNED_IN, label="own"),
    Row(
        "meetings:action_detail",
        "GET",
        "/meetings/actions/{action_deleted}/",
        (302, 200, 404, 404, 404),
        label="of a deleted meeting",
    ),
    Row(
        "meetings:action_detail",
        "POST",
        "/meetings/actions/{action_own}/",
        (302, 302, 302, 403, 403),
        data=_action_update,
        label="own",
    ),
    Row(
        "meetings:action_detail",
        "POST",
        "/meetings/actions/{action_deleted}/",
        (302, 404, 404, 404, 403),
        data=_action_update,
        label="of a deleted meeting",
    ),
    # --- reminders: the due page (viewers: told they have nothing due), follows and recipients (officials)
    Row("reminders:index", "GET", "/reminders/", SIGNED_IN),
    Row("reminders:recipients", "GET", "/reminders/recipients/", OFFICIALS),
    Row("reminders:follow", "GET", "/reminders/actions/{action_own}/follow/", (302, 405, 405, 405, 405)),
    Row("reminders:follow", "POST", "/reminders/actions/{action_own}/follow/", POST_OFFICIALS, data=_empty),
    Row(
        "reminders:follow",
        "POST",
        "/reminders/actions/{action_deleted}/follow/",
        (302, 404, 403, 403, 403),
        data=_empty,
        label="of a deleted meeting",
    ),
    Row("reminders:unfollow", "GET", "/reminders/actions/{action_own}/unfollow/", (302, 405, 405, 405, 405)),
    Row(
        "reminders:unfollow", "POST", "/reminders/actions/{action_own}/unfollow/", POST_OFFICIALS, data=_empty
    ),
    # --- training
    Row("training:index", "GET", "/training/", SIGNED_IN),
    Row("training:session_export_csv", "GET", "/training/export.csv", SIGNED_IN),
    Row("training:session_export_xlsx", "GET", "/training/export.xlsx", SIGNED_IN),
    Row("training:session_create", "GET", "/training/new/", WRITERS),
    Row(
        "training:session_create",
        "POST",
        "/training/new/",
        (302, 302, 302, 200, 403),
        data=_session_create,
        label="/training/new/ (region 3501)",
    ),
    Row("training:session_detail", "GET", "/training/{session_own}/", SIGNED_IN, label="own"),
    Row(
        "training:session_detail",
        "GET",
        "/training/{session_deleted}/",
        (302, 200, 404, 404, 404),
        label="deleted",
    ),
    Row(
        "training:session_edit",
        "GET",
        "/training/{session_own}/edit/",
        (302, 200, 200, 403, 403),
        label="own",
    ),
    Row(
        "training:session_edit",
        "GET",
        "/training/{session_other}/edit/",
        (302, 200, 403, 200, 403),
        label="other",
    ),
    Row(
        "training:session_edit",
        "GET",
        "/training/{session_pref}/edit/",
        (302, 200, 403, 403, 403),
        label="prefecture-wide",
    ),
    Row(
        "training:session_edit",
        "GET",
        "/training/{session_deleted}/edit/",
        (302, 403, 404, 404, 403),  # officials: restore it first; staff: deleted rows are hidden
        label="deleted",
    ),
    Row(
        "training:session_edit",
        "POST",
        "/training/{session_own}/edit/",
        (302, 302, 302, 403, 403),
        data=_session_post,
        label="own",
    ),
    Row("training:session_delete", "GET", "/training/{session_own}/delete/", OFFICIALS),
    Row(
        "training:session_delete",
        "POST",
        "/training/{session_own}/delete/",
        (302, 400, 403, 403, 403),
        data=_empty,
        label="own, unconfirmed",
    ),
    Row(
        "training:session_delete",
        "POST",
        "/training/{session_own}/delete/",
        POST_OFFICIALS,
        data=_confirmed,
        label="own",
    ),
    Row("training:session_restore", "GET", "/training/{session_deleted}/restore/", OFFICIALS),
    Row(
        "training:session_restore",
        "POST",
        "/training/{session_deleted}/restore/",
        (302, 400, 403, 403, 403),
        data=_empty,
        label="deleted, unconfirmed",
    ),
    Row(
        "training:session_restore",
        "POST",
        "/training/{session_deleted}/restore/",
        POST_OFFICIALS,
        data=_confirmed,
        label="deleted",
    ),
    Row("training:session_history", "GET", "/training/{session_own}/history/", SIGNED_IN),
    Row(
        "training:session_history",
        "GET",
        "/training/{session_deleted}/history/",
        (302, 200, 404, 404, 404),
        label="deleted",
    ),
    Row("training:summary", "GET", "/training/summary/", SIGNED_IN),
    Row("training:peer_support_list", "GET", "/training/peer-support/", SIGNED_IN),
    Row("training:peer_support_detail", "GET", "/training/peer-support/3501/2022/", SIGNED_IN),
    Row(
        "training:peer_support_edit",
        "GET",
        "/training/peer-support/3501/2022/edit/",
        (302, 200, 200, 403, 403),
    ),
    Row(
        "training:peer_support_edit",
        "GET",
        "/training/peer-support/3508/2022/edit/",
        (302, 200, 403, 200, 403),
    ),
    Row(
        "training:peer_support_edit",
        "POST",
        "/training/peer-support/3501/2022/edit/",
        (302, 302, 302, 403, 403),
        data=lambda ds: peer_post_data(version=ds["peer_own_version"]),
    ),
    Row("training:peer_support_history", "GET", "/training/peer-support/3501/2022/history/", SIGNED_IN),
    Row(
        "training:peer_support_history",
        "GET",
        "/training/peer-support/3502/2022/history/",
        (302, 404, 404, 404, 404),
        label="no programme",
    ),
    # --- dashboard (mounted at /indicators/)
    Row("dashboard:index", "GET", "/indicators/", SIGNED_IN),
    Row("dashboard:index", "GET", "/indicators/?region=3508", SIGNED_IN),
    Row("dashboard:export", "GET", "/indicators/export/status.csv", SIGNED_IN),
    Row("dashboard:export", "GET", "/indicators/export/matrix.xlsx", SIGNED_IN),
    Row("dashboard:export", "GET", "/indicators/export/activity.csv", SIGNED_IN),
    # --- indicators: everyone signed in reads, officials write
    Row("indicators:definitions", "GET", "/indicators/definitions/", SIGNED_IN),
    Row("indicators:indicator_detail", "GET", "/indicators/definitions/discharge_rate_3m/", SIGNED_IN),
    Row("indicators:indicator_create", "GET", "/indicators/definitions/new/", OFFICIALS),
    Row(
        "indicators:indicator_create",
        "POST",
        "/indicators/definitions/new/",
        POST_OFFICIALS,
        data=_definition_create,
    ),
    Row("indicators:indicator_edit", "GET", "/indicators/definitions/discharge_rate_3m/edit/", OFFICIALS),
    Row("indicators:plan_create", "GET", "/indicators/plans/new/", OFFICIALS),
    Row("indicators:plan_create", "POST", "/indicators/plans/new/", POST_OFFICIALS, data=_plan_create),
    # values: officials every area; a health centre's staff their own regions' region-level values
    Row("indicators:observation_create", "GET", "/indicators/values/new/", WRITERS),
    Row(
        "indicators:observation_create",
        "POST",
        "/indicators/values/new/",
        (302, 302, 200, 200, 403),  # staff: the prefecture is not offered (form error, nothing saved)
        data=_observation_create,
    ),
    Row(
        "indicators:observation_create",
        "POST",
        "/indicators/values/new/",
        (302, 302, 302, 200, 403),
        data=_observation_create_own,
        label="岩国",
    ),
    Row("indicators:observation_edit", "GET", "/indicators/values/{observation}/edit/", OFFICIALS),
    Row(
        "indicators:observation_edit",
        "GET",
        "/indicators/values/{observation_own}/edit/",
        (302, 200, 200, 403, 403),
        label="岩国",
    ),
    Row("indicators:target_create", "GET", "/indicators/targets/new/", OFFICIALS),
    Row("indicators:target_create", "POST", "/indicators/targets/new/", POST_OFFICIALS, data=_target_create),
    Row("indicators:target_edit", "GET", "/indicators/targets/{target}/edit/", OFFICIALS),
    Row("indicators:venue_status", "GET", "/indicators/venues/", OFFICIALS),
    # --- validation rules (officials) and the values they flagged (writers: staff resolve their region's)
    Row("indicators:rule_create", "GET", "/indicators/definitions/discharge_rate_3m/rules/new/", OFFICIALS),
    Row(
        "indicators:rule_create",
        "POST",
        "/indicators/definitions/discharge_rate_3m/rules/new/",
        POST_OFFICIALS,
        data=_rule_create,
    ),
    Row("indicators:rule_edit", "GET", "/indicators/rules/{rule}/edit/", OFFICIALS),
    Row("indicators:rule_edit", "POST", "/indicators/rules/{rule}/edit/", POST_OFFICIALS, data=_rule_edit),
    Row(
        "indicators:rule_deactivate", "GET", "/indicators/rules/{rule}/deactivate/", (302, 405, 403, 403, 403)
    ),
    Row(
        "indicators:rule_deactivate",
        "POST",
        "/indicators/rules/{rule}/deactivate/",
        POST_OFFICIALS,
        data=_empty,
    ),
    Row("indicators:checks", "GET", "/indicators/checks/", WRITERS),
    Row("indicators:checks", "GET", "/indicators/checks/?resolved=open&area=3501&page=2", WRITERS),
    Row(
        "indicators:check_resolve", "GET", "/indicators/checks/{flag_own}/resolve/", (302, 405, 405, 405, 403)
    ),
    Row(
        "indicators:check_resolve",
        "POST",
        "/indicators/checks/{flag_own}/resolve/",
        (302, 302, 302, 403, 403),
        data=_resolve,
        label="a value of region 3501",
    ),
    Row(
        "indicators:check_resolve",
        "POST",
        "/indicators/checks/{flag_prefecture}/resolve/",
        POST_OFFICIALS,
        data=_resolve,
        label="a prefecture-level value",
    ),
    Row(
        "indicators:check_resolve",
        "POST",
        "/indicators/checks/999999/resolve/",
        (302, 404, 404, 404, 403),
        data=_resolve,
        label="no flag",
    ),
    Row("indicators:imports", "GET", "/indicators/imports/", OFFICIALS),
    Row("indicators:imports", "POST", "/indicators/imports/", POST_OFFICIALS, data=_import_upload),
    Row("indicators:import_template", "GET", "/indicators/imports/template.csv", OFFICIALS),
    Row("indicators:import_template", "GET", "/indicators/imports/template.xlsx", OFFICIALS),
    Row("indicators:import_detail", "GET", "/indicators/imports/{batch}/", OFFICIALS),
    Row(
        "indicators:import_confirm",
        "POST",
        "/indicators/imports/{batch}/confirm/",
        POST_OFFICIALS,
        data=_empty,
    ),
    Row(
        "indicators:import_discard",
        "POST",
        "/indicators/imports/{batch}/discard/",
        POST_OFFICIALS,
        data=_empty,
    ),
    Row("indicators:import_undo", "GET", "/indicators/imports/{batch_applied}/undo/", OFFICIALS),
    Row(
        "indicators:import_undo",
        "GET",
        "/indicators/imports/{batch}/undo/",
        POST_OFFICIALS,  # a pending import: back to its page, nothing to undo
        label="pending",
    ),
    Row(
        "indicators:import_undo",
        "POST",
        "/indicators/imports/{batch_applied}/undo/",
        (302, 400, 403, 403, 403),
        data=_empty,
        label="unconfirmed",
    ),
    Row(
        "indicators:import_undo",
        "POST",
        "/indicators/imports/{batch_applied}/undo/",
        POST_OFFICIALS,
        data=_confirmed,
    ),
    # --- national wide tables (#18): officials only
    Row("national:import_new", "GET", "/national/imports/new/", OFFICIALS),
    Row("national:import_new", "POST", "/national/imports/new/", POST_OFFICIALS, data=_wide_upload),
    Row("national:import_map", "GET", "/national/imports/{wide}/map/", OFFICIALS),
    Row("national:import_map", "POST", "/national/imports/{wide}/map/", POST_OFFICIALS, data=_wide_mapping),
    Row("national:layouts", "GET", "/national/layouts/", OFFICIALS),
    Row(
        "national:layout_rename",
        "POST",
        "/national/layouts/{layout}/rename/",
        POST_OFFICIALS,
        data=_layout_rename,
    ),
    Row("national:layout_delete", "POST", "/national/layouts/{layout}/delete/", POST_OFFICIALS, data=_empty),
    # --- data sets (issue #17): officials every set, staff their own regions' sets, viewers nothing
    Row("dashboard:datasets", "GET", "/indicators/datasets/", WRITERS),
    Row("dashboard:datasets", "GET", "/indicators/datasets/?year_from=2019&year_to=2022", WRITERS),
    Row("dashboard:dataset_detail", "GET", "/indicators/datasets/3501/2022/", (302, 200, 200, 403, 403)),
    Row("dashboard:dataset_detail", "GET", "/indicators/datasets/3508/2021/", (302, 200, 403, 200, 403)),
    Row("dashboard:dataset_detail", "GET", "/indicators/datasets/prefecture/2022/", OFFICIALS),
    Row("dashboard:dataset_detail", "GET", "/indicators/datasets/municipalities/2022/", OFFICIALS),
    Row(
        "dashboard:dataset_detail",
        "GET",
        "/indicators/datasets/9999/2022/",
        (302, 404, 404, 404, 403),
        label="unknown area",
    ),
    Row(
        "dashboard:dataset_detail",
        "GET",
        "/indicators/datasets/3501/1999/",
        (302, 404, 404, 404, 403),
        label="year out of range",
    ),
    Row(
        "indicators:dataset_submit",
        "GET",
        "/indicators/datasets/3501/2022/submit/",
        (302, 405, 405, 405, 403),
    ),
    Row(
        "indicators:dataset_submit",
        "POST",
        "/indicators/datasets/3501/2022/submit/",
        (302, 302, 302, 403, 403),
        data=lambda ds: {"submit-version": "0"},
    ),
    Row(
        "indicators:dataset_submit",
        "POST",
        "/indicators/datasets/prefecture/2022/submit/",
        POST_OFFICIALS,
        data=lambda ds: {"submit-version": "0"},
    ),
    Row(
        "indicators:dataset_withdraw",
        "POST",
        "/indicators/datasets/3501/2021/withdraw/",
        (302, 403, 302, 403, 403),  # the submitter (岩国 staff) only
        data=lambda ds: {"withdraw-version": "1"},
    ),
    Row(
        "indicators:dataset_return",
        "POST",
        "/indicators/datasets/3501/2021/return/",
        POST_OFFICIALS,
        data=lambda ds: {"return-version": "1", "return-reason": "値を確認してください"},
    ),
    Row(
        "indicators:dataset_approve",
        "POST",
        "/indicators/datasets/3501/2021/approve/",
        POST_OFFICIALS,
        data=lambda ds: {"approve-version": "1"},
    ),
    Row(
        "indicators:dataset_reopen",
        "POST",
        "/indicators/datasets/3508/2021/reopen/",
        POST_OFFICIALS,
        data=lambda ds: {"reopen-version": "1", "reopen-reason": "確定値に差し替える"},
    ),
    Row(
        "indicators:deadline_set",
        "POST",
        "/indicators/datasets/deadline/",
        POST_OFFICIALS,
        data=lambda ds: {"deadline-fiscal_year": "2022", "deadline-due_date": "2023-05-31"},
    ),
    # --- pdca: summaries of agendas, actions and values (no case detail): everyone signed in reads
    Row("pdca:index", "GET", "/pdca/", SIGNED_IN),
    Row("pdca:region", "GET", "/pdca/regions/3501/", SIGNED_IN),
    Row("pdca:region", "GET", "/pdca/regions/3508/", SIGNED_IN, label="other region"),
    Row("pdca:region", "GET", "/pdca/regions/9999/", (302, 404, 404, 404, 404), label="unknown region"),
    # --- reminders: everyone signed in sets their own mail settings and confirms their own address
    Row("reminders:settings", "GET", "/reminders/settings/", SIGNED_IN),
    Row(
        "reminders:settings",
        "POST",
        "/reminders/settings/",
        (302, 302, 302, 302, 302),
        data=_reminder_settings,
    ),
    Row(
        "reminders:confirmation_resend", "GET", "/reminders/settings/confirmation/", (302, 405, 405, 405, 405)
    ),
    Row(
        "reminders:confirmation_resend",
        "POST",
        "/reminders/settings/confirmation/",
        (302, 302, 302, 302, 302),  # nothing pending: told so, nothing sent
        data=_empty,
    ),
    Row("reminders:confirm", "GET", "/reminders/confirm/not-a-token/", (302, 404, 404, 404, 404)),
    Row(
        "reminders:confirm", "POST", "/reminders/confirm/not-a-token/", (302, 404, 404, 404, 404), data=_empty
    ),
    # --- sheets: everyone signed in reads and downloads; officials edit and publish
    Row("sheets:index", "GET", "/sheets/", SIGNED_IN),
    Row("sheets:detail", "GET", "/sheets/2022/", SIGNED_IN),
    Row("sheets:detail", "GET", "/sheets/1999/", (302, 404, 404, 404, 404), label="no edition"),
    Row("sheets:pdf", "GET", "/sheets/2022.pdf", SIGNED_IN),
    Row("sheets:published_pdf", "GET", "/sheets/2022/editions/1.pdf", SIGNED_IN),
    Row(
        "sheets:published_pdf", "GET", "/sheets/2022/editions/9.pdf", (302, 404, 404, 404, 404), label="none"
    ),
    Row("sheets:region_pdf", "GET", "/sheets/2022/regions/3501.pdf", SIGNED_IN),
    Row(
        "sheets:publish",
        "GET",
        "/sheets/2022/publish/?note=%E7%AC%AC2%E7%89%88&confirm_unapproved=on",  # note=第2版
        OFFICIALS,
    ),
    Row(
        "sheets:publish",
        "GET",
        "/sheets/2022/publish/",
        (302, 400, 403, 403, 403),  # a revision without its note: the sheet page says why
        label="no note",
    ),
    Row(
        "sheets:publish",
        "POST",
        "/sheets/2022/publish/",
        (302, 400, 403, 403, 403),
        data=lambda ds: {"note": "第2版", "confirm_unapproved": "on"},
        label="unconfirmed",
    ),
    Row(
        "sheets:publish",
        "POST",
        "/sheets/2022/publish/",
        POST_OFFICIALS,
        data=lambda ds: {
            "note": "第2版",
            "confirm_unapproved": "on",
            "confirmed": "yes",
        },  # figures unapproved
    ),
    Row("sheets:copy", "POST", "/sheets/2022/copy/", POST_OFFICIALS, data=lambda ds: {"fiscal_year": "2023"}),
    Row("sheets:edit_header", "GET", "/sheets/2022/edit/header/", OFFICIALS),
    Row("sheets:edit_header", "POST", "/sheets/2022/edit/header/", (302, 400, 403, 403, 403), data=_empty),
    Row("sheets:edit_facts", "GET", "/sheets/2022/edit/part1/", OFFICIALS),
    Row("sheets:edit_facts", "POST", "/sheets/2022/edit/part1/", (302, 400, 403, 403, 403), data=_empty),
    Row("sheets:edit_part", "GET", "/sheets/2022/edit/part2/", OFFICIALS),
    Row(
        "sheets:edit_part",
        "GET",
        "/sheets/2022/edit/nothing/",
        (302, 404, 403, 403, 403),
        label="unknown part",
    ),
    Row("sheets:edit_part", "POST", "/sheets/2022/edit/part6/", (302, 400, 403, 403, 403), data=_empty),
    # --- national: 全国との比較 (national tables are public: everyone signed in; peers are each user's own)
    Row("national:index", "GET", "/national/", SIGNED_IN),
    Row("national:detail", "GET", "/national/discharge_rate_3m/", SIGNED_IN),
    Row(
        "national:detail", "GET", "/national/discharge_rate_3m/?level=region&period=x", SIGNED_IN, label="bad"
    ),
    Row("national:detail", "GET", "/national/nothing/", (302, 404, 404, 404, 404), label="no indicator"),
    Row("national:export", "GET", "/national/discharge_rate_3m/export.csv", SIGNED_IN),
    Row("national:export", "GET", "/national/discharge_rate_3m/export.xlsx", SIGNED_IN),
    Row("national:export", "GET", "/national/discharge_rate_3m/export.pdf", (302, 404, 404, 404, 404)),
    Row("national:peers", "GET", "/national/discharge_rate_3m/peers/", (302, 405, 405, 405, 405)),
    Row(
        "national:peers", "POST", "/national/discharge_rate_3m/peers/", (302, 302, 302, 302, 302), data=_empty
    ),
    # --- reminders: calendar feeds (each user's own; the feed's token is its credential, no sign-in)
    Row("reminders:calendar", "GET", "/reminders/calendar/", SIGNED_IN),
    Row("reminders:calendar_issue", "GET", "/reminders/calendar/issue/", (302, 405, 405, 405, 405)),
    Row(
        "reminders:calendar_issue",
        "POST",
        "/reminders/calendar/issue/",
        (302, 302, 302, 302, 302),
        data=_empty,
    ),
    Row(
        "reminders:calendar_revoke",
        "POST",
        "/reminders/calendar/{feed_own}/revoke/",
        (302, 404, 302, 404, 404),  # iwakuni_staff's feed: another user's is not found
        data=_empty,
    ),
    Row(
        "reminders:calendar_reissue",
        "POST",
        "/reminders/calendar/{feed_own}/reissue/",
        (302, 404, 302, 404, 404),
        data=_empty,
    ),
    Row(
        "reminders:feed",
        "GET",
        "/reminders/calendar/not-a-token.ics",
        (404, 404, 404, 404, 404),
        label="bogus",
    ),
    Row(
        "reminders:feed",
        "GET",
        "/reminders/calendar/{feed_token}.ics",
        (200, 200, 200, 200, 200),
        label="token",
    ),
    Row("reminders:meeting_ics", "GET", "/reminders/meetings/{meeting_own}.ics", SIGNED_IN),
    Row(
        "reminders:meeting_ics",
        "GET",
        "/reminders/meetings/{meeting_deleted}.ics",
        (302, 200, 404, 404, 404),
        label="deleted meeting",
    ),
    Row(
        "reminders:meeting_ics",
        "GET",
        "/reminders/meetings/999999.ics",
        (302, 404, 404, 404, 404),
        label="none",
    ),
]


def _admin_rows() -> list[Row]:
    """Django's admin guards every page but its sign-in behind is_staff; no persona is staff."""
    rows = []
    for name, route in _url_names().items():
        if not name.startswith("admin:"):
            continue
        if name == "admin:login":
            rows.append(Row(name, "GET", "/admin/login/", (200, 200, 200, 200, 200)))
        elif name == "admin:logout":
            rows.append(Row(name, "GET", "/admin/logout/", (302, 302, 302, 302, 302)))
        else:
            rows.append(Row(name, "GET", "/admin/" + _example_path(route), (302, 302, 302, 302, 302)))
    return rows


def _example_path(route: str) -> str:
    """A concrete path for an admin route: every converter filled with "1"."""
    import re

    path = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return path.lstrip("^").rstrip("$")


def _url_names(patterns=None, namespace: str = "", prefix: str = "") -> dict[str, str]:
    """Every named URL of the URLconf, namespaced ("meetings:detail"), with its route."""
    names = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.update(_url_names(pattern.url_patterns, ns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names[namespace + pattern.name] = prefix + str(pattern.pattern)
    return names


ALL_ROWS = ROWS + _admin_rows()
CASES = [(row, persona) for row in ALL_ROWS for persona in PERSONAS]


def test_every_url_has_a_row():
    missing = set(_url_names()) - {row.name for row in ALL_ROWS}
    assert not missing, f"権限表に行のない URL: {sorted(missing)}"


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_each_row_names_the_url_it_requests(row):
    """A row labelled with the wrong URL name would leave the real one untested."""
    path = row.url.split("?")[0].format_map(_Ids())
    match = resolve(path)
    assert f"{':'.join(match.namespaces)}:{match.url_name}".lstrip(":") == row.name


class _Ids(dict):
    def __missing__(self, key):
        return 1


def build_dataset() -> dict:
    """Personas and records of the own region (3501, iwakuni_staff's), the other region (3508,
    hagi_staff's) and the whole prefecture, the R4 sheet with one published edition. The caller
    stubs `sheets.pdf.render_pdf` and sets MEDIA_ROOT (the accessibility walk builds the same data)."""
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    call_command("load_sheet", stdout=io.StringIO())
    users = {
        "official": make_user("official", Role.PREFECTURE),
        "iwakuni_staff": make_user("iwakuni-staff", Role.HEALTH_CENTRE, health_centre="iwakuni"),
        "hagi_staff": make_user("hagi-staff", Role.HEALTH_CENTRE, health_centre="hagi"),
        "viewer": make_user("viewer", Role.VIEWER),
    }
    own, other = region("3501"), region("3508")
    case_own = CaseReviewFactory(
        meeting__region=own,
        region=own,
        summary="グループホーム見学を計画",
        status="discharged",
        discharge_month=date(2022, 4, 1),
    )
    case_other = CaseReviewFactory(meeting__region=other, region=other)
    deleted = MeetingFactory(region=own, deleted_at=timezone.now())
    case_deleted = CaseReviewFactory(meeting=deleted, region=own)
    pref = Prefecture.objects.get(code="350001")
    batch = import_services.import_batch_create(
        by=users["official"],
        prefecture=pref,
        file_name="x.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_6m", area="350001", period="R2年度", value="70")],
    )
    batch_applied = import_services.import_batch_create(
        by=users["official"],
        prefecture=pref,
        file_name="applied.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_12m", area="350001", period="R1年度", value="80")],
    )
    import_services.import_batch_apply(by=users["official"], batch=batch_applied)
    sheet_publication.edition_publish(
        by=users["official"], edition=Edition.objects.get(fiscal_year=2022), confirm_unapproved=True
    )
    rate_6m = Indicator.objects.get(code="discharge_rate_6m")
    flagged_own = observation_record(
        by=users["official"],
        indicator=rate_6m,
        prefecture=pref,
        region=own,
        period_text="R2年度",
        value=70,
    )
    flag_own = FlaggedValue.objects.create(
        observation=flagged_own,
        rule_label="前の期間からの変化幅",
        message="21.4ポイント増えています",
        note="照合済み",
    )
    flag_prefecture = FlaggedValue.objects.create(
        observation=Observation.objects.get(indicator__code="discharge_rate_3m", period_key="fy:2017"),
        rule_label="前の期間からの変化幅",
        message="大きく変わっています",
        note="照合済み",
    )
    action_own = ActionItemFactory(meeting=case_own.meeting)
    action_deleted = ActionItemFactory(meeting=deleted)
    proposal_own = AgendaItemFactory(meeting=None, region=own, origin="proposed", indicator=rate_6m)
    agenda_item_own = AgendaItemFactory(meeting=case_own.meeting, indicator=rate_6m)
    peer_own = PeerSupportProgrammeFactory(region=own, fiscal_year=2022)
    # data sets of 令和3年度: 岩国's submitted by its staff, 萩's approved
    DataSetFactory(region=own, fiscal_year=2021, state="submitted", submitted_by=users["iwakuni_staff"])
    DataSetFactory(region=other, fiscal_year=2021, state="approved", approved_by=users["official"])
    observation_own = observe("discharge_rate_3m", "3501", 47, fiscal_year=2020)
    feed = reminder_feeds.feed_issue(by=users["iwakuni_staff"])
    from national import services as national_services
    from national.models import WideTableLayout
    from tests.national.helpers import SAMPLE_CSV

    wide = national_services.wide_import_create(
        by=users["official"], file_name=SAMPLE_CSV.name, data=SAMPLE_CSV.read_bytes(), source="NDB"
    )
    layout = WideTableLayout.objects.create(
        name="別の表", signature="0" * 64, header_rows=1, area_column=0, columns=[]
    )
    PeerSupportProgrammeFactory(region=other, fiscal_year=2022)
    ids = {
        "meeting_own": case_own.meeting_id,
        "meeting_other": case_other.meeting_id,
        "meeting_pref": MeetingFactory(
            region=None, organiser_centre=None, organiser_division="disability_support"
        ).pk,
        "meeting_deleted": deleted.pk,
        "case_own": case_own.pk,
        "case_other": case_other.pk,
        "case_deleted": case_deleted.pk,
        "session_own": TrainingSessionFactory(region=own).pk,
        "session_other": TrainingSessionFactory(region=other).pk,
        "session_pref": TrainingSessionFactory(region=None).pk,
        "session_deleted": TrainingSessionFactory(region=own, is_deleted=True).pk,
        "peer_own_version": peer_own.version,
        "action_own": action_own.pk,
        "action_deleted": action_deleted.pk,
        "proposal_own": proposal_own.pk,
        "agenda_item_own": agenda_item_own.pk,
        "observation": Observation.objects.get(indicator__code="discharge_rate_3m", period_key="fy:2017").pk,
        "observation_own": observation_own.pk,
        "target": Target.objects.filter(indicator__code="discharge_rate_3m").first().pk,
        "batch": batch.pk,
        "batch_applied": batch_applied.pk,
        "rate_6m": Observation.objects.filter(indicator__code="discharge_rate_6m").first().indicator_id,
        "plan": Plan.objects.first().pk,
        "feed_own": feed.feed.pk,
        "rule": ValidationRule.objects.filter(indicator__code="discharge_rate_3m").first().pk,
        "flag_own": flag_own.pk,
        "flag_prefecture": flag_prefecture.pk,
        "feed_token": feed.token,
        "wide": wide.pk,
        "layout": layout.pk,
    }
    return {"users": users, "ids": ids}


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker, tmp_path_factory):
    """`build_dataset()` once per module, rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    mp = pytest.MonkeyPatch()
    mp.setattr(sheet_pdf, "render_pdf", lambda html: STUB_PDF)
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        yield build_dataset()
        transaction.set_rollback(True)
    mp.undo()


def _fingerprint() -> dict[str, list]:
    """Every row of every table a refused write could have touched."""
    tables = {}
    for model in apps.get_models():
        if model._meta.label_lower in BOOKKEEPING:
            continue
        tables[model._meta.label_lower] = list(model.objects.order_by("pk").values_list())
    return tables


def _sign_in(client, user):
    client.force_login(user)
    if is_prefecture(user):
        mark_otp_verified(client, user)
    else:
        mark_otp_checked(client, user)


@pytest.mark.parametrize(("row", "persona"), CASES, ids=[f"{r.id} as {p}" for r, p in CASES])
def test_the_table(db, client, dataset, row, persona):
    expected = row.statuses[PERSONAS.index(persona)]
    if persona != "anonymous":
        _sign_in(client, dataset["users"][persona])
    url = row.url.format_map(dataset["ids"])
    if row.method == "GET":
        response = client.get(url)
    else:
        data = row.data(dataset["ids"]) if row.data else {}
        before = _fingerprint()
        response = client.post(url, data)
    assert response.status_code == expected
    permitted = persona in row.writes or (persona != "anonymous" and expected == 302)
    if row.method == "POST" and not permitted:
        assert _fingerprint() == before, "a refused write changed the database"
    if persona == "anonymous" and expected == 302 and not row.name.startswith("admin:"):
        assert "/accounts/login/" in response["Location"]
