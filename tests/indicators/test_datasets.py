"""The data sets' state machine (issue #17): who may take which step (one table of step × set ×
persona), the order of the states, four eyes on every approval, reasons, versions, and the history,
transition rows and audit events every step writes. The pages are in test_datasets_pages.py, the
locks on figure writes in test_datasets_locks.py."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.forms import StaleVersionError
from core.models import AuditEvent, ChangeRecord
from indicators.models import DataSet, DataSetTransition, SubmissionDeadline
from indicators.services import datasets as services
from regions.models import Prefecture
from tests.factories import Role, data_set_key, make_user

State = DataSet.State
PERSONAS = ["official", "iwakuni_staff", "hagi_staff", "viewer"]
SETS = {"region": "3501", "prefecture": "prefecture", "municipalities": "municipalities"}


@pytest.fixture
def official2(reference_data):
    return make_user("official-2", Role.PREFECTURE)


@pytest.fixture
def people(official, official2, iwakuni_staff, hagi_staff, viewer):
    return {
        "official": official,
        "official2": official2,
        "iwakuni_staff": iwakuni_staff,
        "hagi_staff": hagi_staff,
        "viewer": viewer,
    }


def _submitted(people, code):
    """The set submitted by its natural submitter: 岩国 staff for 岩国, the second official otherwise."""
    by = people["iwakuni_staff"] if code == "3501" else people["official2"]
    return services.data_set_submit(by=by, key=data_set_key(code))


def _approved(people, code):
    _submitted(people, code)
    return services.data_set_approve(by=people["official"], key=data_set_key(code))


# (step, set) → the personas allowed; everyone else is refused with PermissionDenied and nothing changes.
TABLE = [
    ("submit", "region", {"official", "iwakuni_staff"}),
    ("submit", "prefecture", {"official"}),
    ("submit", "municipalities", {"official"}),
    ("withdraw", "region", {"iwakuni_staff"}),  # only the submitter
    ("withdraw", "prefecture", set()),  # official2 submitted it
    ("return", "region", {"official"}),
    ("return", "prefecture", {"official"}),
    ("approve", "region", {"official"}),
    ("approve", "prefecture", {"official"}),
    ("approve", "municipalities", {"official"}),
    ("reopen", "region", {"official"}),
    ("reopen", "municipalities", {"official"}),
]


def _prepare(step, people, code):
    if step in {"withdraw", "return", "approve"}:
        _submitted(people, code)
    elif step == "reopen":
        _approved(people, code)


def _take(step, by, code):
    key = data_set_key(code)
    if step == "submit":
        return services.data_set_submit(by=by, key=key)
    if step == "withdraw":
        return services.data_set_withdraw(by=by, key=key)
    if step == "return":
        return services.data_set_return(by=by, key=key, reason="630調査の値を確認してください")
    if step == "approve":
        return services.data_set_approve(by=by, key=key)
    return services.data_set_reopen(by=by, key=key, reason="NDBの確定値に差し替える")


def _state():
    return (
        list(DataSet.objects.order_by("pk").values_list("state", "version")),
        DataSetTransition.objects.count(),
        AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_SET).count(),
    )


@pytest.mark.parametrize(("step", "scope", "allowed"), TABLE, ids=[f"{s}-{c}" for s, c, _ in TABLE])
def test_the_permission_table(people, step, scope, allowed):
    """Each persona in turn, each in a savepoint rolled back afterwards (one set-up per row)."""
    code = SETS[scope]
    _prepare(step, people, code)
    before = _state()
    outcomes = {}
    for persona in PERSONAS:
        with transaction.atomic():
            try:
                row = _take(step, people[persona], code)
            except PermissionDenied:
                outcomes[persona] = "refused"
                assert _state() == before, f"a step refused to {persona} changed something"
            else:
                outcomes[persona] = "allowed"
                assert DataSetTransition.objects.filter(data_set=row).latest("pk").by == people[persona]
            transaction.set_rollback(True)
    assert outcomes == {p: "allowed" if p in allowed else "refused" for p in PERSONAS}


def test_staff_submit_only_their_own_region(iwakuni_staff, hagi_staff):
    services.data_set_submit(by=hagi_staff, key=data_set_key("3508"))
    with pytest.raises(PermissionDenied, match="この圏域のデータセットを提出する権限がありません"):
        services.data_set_submit(by=hagi_staff, key=data_set_key("3501"))
    with pytest.raises(PermissionDenied, match="県全体・市町村別のデータセットは県職員が提出します"):
        services.data_set_submit(by=iwakuni_staff, key=data_set_key("prefecture"))
    assert not DataSet.objects.filter(region__code="3501").exists()


def test_four_eyes_an_official_never_approves_a_set_they_submitted(official, official2):
    key = data_set_key("prefecture")
    services.data_set_submit(by=official, key=key)
    with pytest.raises(PermissionDenied, match="自分が提出したデータセットは承認できません"):
        services.data_set_approve(by=official, key=key)
    assert DataSet.objects.get().state == State.SUBMITTED
    row = services.data_set_approve(by=official2, key=key)
    assert row.state == State.APPROVED and row.approved_by == official2 and row.submitted_by == official


def test_four_eyes_holds_for_a_region_set_an_official_submitted(official, official2):
    services.data_set_submit(by=official, key=data_set_key("3502"))
    with pytest.raises(PermissionDenied):
        services.data_set_approve(by=official, key=data_set_key("3502"))
    services.data_set_return(by=official, key=data_set_key("3502"), reason="自分で差し戻すことはできる")
    assert DataSet.objects.get().state == State.RETURNED


def test_the_whole_cycle_with_its_history_transitions_and_audit(official, official2, iwakuni_staff):
    key = data_set_key("3501")
    assert DataSet.objects.count() == 0  # a set with no row is 入力中

    row = services.data_set_submit(by=iwakuni_staff, key=key, note="速報値を含みます")
    assert (row.state, row.version, row.submitted_by) == (State.SUBMITTED, 1, iwakuni_staff)
    first = row.first_submitted_at
    assert first is not None and row.submitted_at == first

    with pytest.raises(ValidationError, match="理由を入力してください"):
        services.data_set_return(by=official, key=key, reason="   ")
    assert DataSet.objects.get().state == State.SUBMITTED

    row = services.data_set_return(by=official, key=key, reason="長期在院者数の内訳が合計と合いません")
    assert (row.state, row.version, row.reason) == (State.RETURNED, 2, "長期在院者数の内訳が合計と合いません")

    row = services.data_set_submit(by=iwakuni_staff, key=key, version=2)
    assert (row.state, row.version) == (State.SUBMITTED, 3)
    assert row.first_submitted_at == first  # timeliness is judged by the first submission
    assert row.submitted_at > first

    row = services.data_set_approve(by=official, key=key, version=3)
    assert (row.state, row.version, row.approved_by) == (State.APPROVED, 4, official)

    row = services.data_set_reopen(by=official2, key=key, reason="NDBの確定値が公表された", version=4)
    assert (row.state, row.version) == (State.OPEN, 5)
    assert row.approved_by is None and row.reason == "NDBの確定値が公表された"

    steps = list(
        DataSetTransition.objects.filter(data_set=row).values_list("from_state", "to_state", "by", "reason")
    )
    assert steps == [
        (State.OPEN, State.SUBMITTED, iwakuni_staff.pk, "速報値を含みます"),
        (State.SUBMITTED, State.RETURNED, official.pk, "長期在院者数の内訳が合計と合いません"),
        (State.RETURNED, State.SUBMITTED, iwakuni_staff.pk, ""),
        (State.SUBMITTED, State.APPROVED, official.pk, ""),
        (State.APPROVED, State.OPEN, official2.pk, "NDBの確定値が公表された"),
    ]
    history = ChangeRecord.objects.filter(object_id=str(row.pk), content_type__model="dataset").order_by("pk")
    assert [h.action for h in history] == ["create", "update", "update", "update", "update"]
    assert history[1].changes["state"] == {"label": "状況", "old": "提出済", "new": "差し戻し"}
    assert history[4].username == "official-2"
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_SET).order_by("pk")
    assert [e.detail["操作"] for e in events] == [
        "提出",
        "差し戻し",
        "提出",
        "承認",
        "承認の取り消し（再開）",
    ]
    assert events[1].detail["理由・メモ"] == "長期在院者数の内訳が合計と合いません"
    assert events[3].user == official and events[3].object_repr == "岩国圏域 令和4年度"


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("open", "approve"),
        ("open", "return"),
        ("open", "reopen"),
        ("returned", "approve"),
        ("approved", "submit"),
        ("approved", "return"),
        ("submitted", "submit"),
        ("submitted", "reopen"),
    ],
)
def test_a_step_that_does_not_apply_to_the_state_is_refused(people, state, step):
    code = "prefecture"
    if state != "open":
        services.data_set_submit(by=people["official2"], key=data_set_key(code))
    if state == "returned":
        services.data_set_return(by=people["official"], key=data_set_key(code), reason="x")
    if state == "approved":
        services.data_set_approve(by=people["official"], key=data_set_key(code))
    transitions = DataSetTransition.objects.count()
    with pytest.raises(services.DataSetStateError, match="のため"):
        _take(step, people["official"], code)
    assert DataSetTransition.objects.count() == transitions


def test_a_withdrawn_set_is_open_again_and_only_its_submitter_withdraws(iwakuni_staff, official):
    key = data_set_key("3501")
    services.data_set_submit(by=iwakuni_staff, key=key)
    with pytest.raises(PermissionDenied, match="提出した本人だけ"):
        services.data_set_withdraw(by=official, key=key)
    row = services.data_set_withdraw(by=iwakuni_staff, key=key)
    assert row.state == State.OPEN and row.submitted_by is None and row.first_submitted_at is not None


def test_a_step_on_a_page_loaded_before_another_step_is_refused(iwakuni_staff, official):
    key = data_set_key("3501")
    services.data_set_submit(by=iwakuni_staff, key=key, version=0)  # the page showed no row yet
    services.data_set_return(by=official, key=key, reason="x", version=1)
    services.data_set_submit(by=iwakuni_staff, key=key, version=2)
    # the official's page still shows version 1 (the first submission): approving it is refused
    with pytest.raises(StaleVersionError):
        services.data_set_approve(by=official, key=key, version=1)
    assert DataSet.objects.get().state == State.SUBMITTED


def test_a_page_loaded_before_the_first_submission_is_stale_once_someone_submitted(iwakuni_staff, official):
    key = data_set_key("3501")
    services.data_set_submit(by=official, key=key, version=0)
    services.data_set_withdraw(by=official, key=key, version=1)
    with pytest.raises(StaleVersionError):
        services.data_set_submit(by=iwakuni_staff, key=key, version=0)


def test_the_due_date_is_set_by_officials_with_its_history(official, iwakuni_staff):
    prefecture = Prefecture.objects.get(code="350001")
    with pytest.raises(PermissionDenied):
        services.deadline_set(
            by=iwakuni_staff, prefecture=prefecture, fiscal_year=2022, due_date=date(2023, 5, 31)
        )
    deadline = services.deadline_set(
        by=official, prefecture=prefecture, fiscal_year=2022, due_date=date(2023, 5, 31)
    )
    services.deadline_set(by=official, prefecture=prefecture, fiscal_year=2022, due_date=date(2023, 6, 30))
    services.deadline_set(by=official, prefecture=prefecture, fiscal_year=2022, due_date=date(2023, 6, 30))
    assert SubmissionDeadline.objects.get().due_date == date(2023, 6, 30)
    history = ChangeRecord.objects.filter(
        content_type__model="submissiondeadline", object_id=str(deadline.pk)
    )
    assert sorted(history.values_list("action", flat=True)) == [
        "create",
        "update",
    ]  # the same date again: nothing
    with pytest.raises(ValidationError, match="提出期限は"):
        services.deadline_set(by=official, prefecture=prefecture, fiscal_year=2022, due_date=date(1999, 1, 1))
