"""No query parameter of any page answers 500.

Every GET URL of the URLconf (the admin and the sign-in flow aside) is requested with arbitrary
values — huge and negative numbers, dates before 明治, unicode, NUL, empty, repeated keys — for the
parameters its own pages use (the names of their GET forms' fields and of their links' query
strings, read from the rendered pages) and a common set besides, as each persona. A new list page
is covered as soon as it is in the URLconf.
"""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Indicator, Observation, Target, ValidationRule
from reminders import feeds as reminder_feeds
from tests.factories import FlaggedValueFactory
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, CaseFollowUpFactory, MeetingFactory
from tests.otp import mark_otp_checked, mark_otp_verified
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory

SKIPPED_PREFIXES = ("admin", "accounts")  # Django's admin; the sign-in, password and TOTP flow
COMMON_PARAMS = [
    "page",
    "fiscal_year",
    "region",
    "kind",
    "q",
    "status",
    "course",
    "deleted",
    "basis",
    "plans",
    "indicator",
    "area",
    "period",
    "date_from",
    "date_to",
    "username",
    "sort",
    "format",
    "overdue",
    "next",
]
ODD_VALUES = [
    "",
    "0",
    "-1",
    "-5",
    "99999",
    "99999999999999999999",
    "-99999999999999999999",
    "9" * 5000,  # more digits than Python's int() reads
    "1e5",
    "NaN",
    "inf",
    "2022",
    "R4",
    "令和4年度",
    "2022-04-01",
    "0001-01-01",
    "1867-12-31",
    "9999-12-31",
    "3501",
    "prefecture",
    "\x00",
    "3501\x00",
    "²",  # isdigit() but not int()
    "٣",
    " 1 ",
    "<script>",
    "'; --",
    "😀",
]
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.text(max_size=20),
)


def _get_urls():
    """(name, pattern route, converters' names) of every URL outside SKIPPED_PREFIXES."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and not route.startswith(SKIPPED_PREFIXES):
                name = f"{namespace}:{p.name}" if namespace else p.name
                found.append((name, tuple(p.pattern.converters)))

    walk(get_resolver().url_patterns, "", None)
    return found


URLS = _get_urls()
# Rendering a PDF takes a second or more: fewer examples, the same parameters.
SLOW = {"sheets:pdf", "sheets:region_pdf", "sheets:published_pdf"}


@pytest.fixture
def records(reference_data, official):
    """One of each record a URL names (and the R4 sheet's indicators, values, targets and edition,
    loaded as `make run` does), so detail, edit and dashboard pages render with data rather than 404."""
    call_command("load_sheet", stdout=io.StringIO())
    action = ActionItemFactory(due_date=date(2022, 12, 1))
    followup = CaseFollowUpFactory(case__meeting__region=action.meeting.region)
    PeerSupportProgrammeFactory()
    feed = reminder_feeds.feed_issue(by=official)  # the feed of a user with meetings to show
    MeetingFactory(created_by=official, date=timezone.localdate())
    FlaggedValueFactory(
        observation=Observation.objects.first(), flagged_by=official
    )  # 確認が必要な値 has a row
    return {
        "meetings": action.meeting.pk,
        "meetings:case_detail": followup.case.pk,
        "meetings:action_detail": action.pk,
        "meetings:proposal_withdraw": AgendaItemFactory(
            meeting=None, region=action.meeting.region, origin="proposed"
        ).pk,
        "training": TrainingSessionFactory().pk,
        "indicators:observation_edit": Observation.objects.first().pk,
        "indicators:target_edit": Target.objects.first().pk,
        "indicators:rule_edit": ValidationRule.objects.first().pk,
        "indicator_code": Indicator.objects.first().code,
        "reminders:meeting_ics": action.meeting.pk,
        "reminders:calendar_revoke": feed.feed.pk,
        "reminders:calendar_reissue": feed.feed.pk,
        "feed_token": feed.token,
    }


def _kwargs(name: str, converters, records) -> dict:
    samples = {
        "pk": records.get(name) or records.get(name.partition(":")[0]) or 1,
        "code": "3501" if name.startswith("regions:") else records["indicator_code"],
        "region_code": "3501",
        "area": "3501",  # a data set's page (dashboard:dataset_detail)
        "fiscal_year": 2022,
        "number": 1,
        "fmt": "csv",
        "key": "status",
        "part": "part3",
        "token": records["feed_token"],  # also a confirmation link's (reminders:confirm): unknown there
    }
    return {c: samples[c] for c in converters}


class _ParamNames(HTMLParser):
    """Names of the fields of a page's GET forms and of the parameters in its links."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in {"input", "select", "textarea"} and self._get_form and attrs.get("name"):
            self.names.add(attrs["name"])
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            self.names.update(k for k, _ in parse_qsl(urlsplit(attrs["href"]).query, keep_blank_values=True))

    def handle_endtag(self, tag):
        if tag == "form":
            self._get_form = False


@pytest.fixture
def clients(official, iwakuni_staff, viewer):
    signed_in = {}
    for user in (official, iwakuni_staff, viewer):
        client = Client()
        client.force_login(user)
        (mark_otp_verified if user is official else mark_otp_checked)(client, user)
        signed_in[user.username] = client
    return signed_in


def _check_url(name, converters, records, clients) -> None:
    url = reverse(name, kwargs=_kwargs(name, converters, records))
    first = clients["official"].get(url)
    assert first.status_code < 500, name
    names = set(COMMON_PARAMS)
    if first.get("Content-Type", "").startswith("text/html"):
        parser = _ParamNames()
        parser.feed(first.content.decode())
        names |= parser.names
    names.discard("csrfmiddlewaretoken")

    @settings(
        max_examples=3 if name in SLOW else 10,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        persona=st.sampled_from(sorted(clients)),
        query=st.dictionaries(
            st.sampled_from(sorted(names)), st.lists(values, min_size=1, max_size=3), min_size=1, max_size=4
        ),
    )
    def check(persona, query):
        response = clients[persona].get(url, query)
        assert response.status_code < 500, (url, persona, query)

    check()

    # And every odd value in every parameter at once, deterministically (the issue's own examples:
    # page=99999999999999999999, fiscal_year=-5 / 99999), the personas taking turns.
    personas = sorted(clients)
    sweep = [*ODD_VALUES[4:7], "\x00"] if name in SLOW else ODD_VALUES
    for index, value in enumerate(sweep):
        persona = personas[index % len(personas)]
        response = clients[persona].get(url, dict.fromkeys(sorted(names), value))
        assert response.status_code < 500, (url, persona, value)


# One test per app (its URLs share one setup: loading the sheet takes seconds).
APPS = sorted({name.partition(":")[0] if ":" in name else "" for name, _ in URLS})


@pytest.mark.parametrize("app", APPS, ids=[a or "root" for a in APPS])
def test_no_get_parameter_answers_500(app, records, clients):
    urls = [(n, c) for n, c in URLS if (n.partition(":")[0] if ":" in n else "") == app]
    assert urls
    for name, converters in urls:
        _check_url(name, converters, records, clients)
