"""Point 4 (issue's point 5): database outages give a Japanese 503 page, and the portal recovers by itself."""

import pytest
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.test import Client

from core.history import record_change
from core.models import ChangeRecord
from tests.factories import region

IS_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def database_down(db, monkeypatch):
    def broken_execute(self, sql, params=None):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken_execute)
    yield
    monkeypatch.undo()  # before the test database is torn down


def test_a_signed_in_page_answers_503_in_japanese_when_the_database_is_down(client_for, viewer, monkeypatch):
    client = client_for(viewer)
    client.raise_request_exception = False

    def broken_execute(self, sql, params=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", broken_execute)
    response = client.get("/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "ただいまポータルを利用できません" in html
    assert "Traceback" not in html and "OperationalError" not in html and "server closed" not in html
    assert response["Retry-After"] == "30"
    monkeypatch.undo()


def test_an_error_in_a_view_becomes_503_without_raising(rf, database_down):
    from core.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(rf.get("/"), OperationalError("gone"))
    assert response.status_code == 503
    assert middleware.process_exception(rf.get("/"), ValueError("other")) is None


def test_other_errors_stay_500(client_for, viewer, monkeypatch):
    from dashboard import views

    client = client_for(viewer)
    client.raise_request_exception = False
    monkeypatch.setattr(views, "render", lambda *a, **k: 1 / 0)
    response = client.get("/")
    assert response.status_code == 500
    assert "サーバーでエラーが発生しました" in response.content.decode()


def test_healthz_says_503_when_the_database_is_down(client, database_down):
    assert client.get("/healthz").status_code == 503


def test_the_portal_recovers_when_the_database_returns(client_for, viewer, monkeypatch):
    client = client_for(viewer)
    client.raise_request_exception = False
    original = CursorWrapper.execute

    def broken_execute(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken_execute)
    assert client.get("/").status_code == 503
    monkeypatch.setattr(CursorWrapper, "execute", original)
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.skipif(not IS_POSTGRES, reason="needs the real PostgreSQL (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True)
def test_postgres_backends_killed_then_the_next_request_recovers(reference_data, django_db_blocker):
    """A real outage: every other connection to our database is terminated (as a restart does)."""

    from tests.factories import Role, make_user
    from tests.otp import mark_otp_verified

    user = make_user("recover-official", Role.PREFECTURE)
    client = Client()
    client.raise_request_exception = False
    client.force_login(user)
    mark_otp_verified(client, user)
    assert client.get("/").status_code == 200
    pid = connection.connection.info.backend_pid if hasattr(connection.connection, "info") else None
    pid = pid or connection.connection.get_backend_pid()
    import psycopg2

    params = connection.get_connection_params()
    killer = psycopg2.connect(**params)
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    # The connection Django holds is now dead. The first request may see it die (503, never a traceback) …
    first = client.get("/")
    assert first.status_code in {200, 503}
    if first.status_code == 503:
        assert "ただいまポータルを利用できません" in first.content.decode()
    # Between requests Django runs close_old_connections (request_started / request_finished), which
    # drops a connection that errored or fails its health check; the test client disconnects that
    # signal handler during its requests, so the test runs it where the server would.
    close_old_connections()
    # … and the next one reconnects: no restart needed.
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.skipif(not IS_POSTGRES, reason="needs the real PostgreSQL (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True)
def test_postgres_unreachable_server_gives_503(reference_data, settings, viewer):
    """Pointing the connection at a closed port: the page is the 503 page, healthz says so."""
    from django.db import connections

    client = Client()
    client.raise_request_exception = False
    client.force_login(viewer)
    connections.close_all()
    original_port = connections["default"].settings_dict["PORT"]
    connections["default"].settings_dict["PORT"] = "1"
    try:
        response = client.get("/")
        assert response.status_code == 503
        assert "ただいまポータルを利用できません" in response.content.decode()
        assert client.get("/healthz").status_code == 503
    finally:
        connections.close_all()
        connections["default"].settings_dict["PORT"] = original_port
    assert client.get("/").status_code == 200


def region_rename_then_fail(*, by, target, new_name):
    """A service shaped like the apps' ones: a change and its history in one transaction, failing late."""
    from core.history import snapshot

    with transaction.atomic():
        before = snapshot(target)
        target.name = new_name
        target.save()
        record_change(
            by=by, instance=target, action=ChangeRecord.Action.UPDATE, changes={"before": before["name"]}
        )
        raise IntegrityError("simulated failure after the first writes")


def test_an_interrupted_save_leaves_nothing_half_written(official):
    target = region("3501")
    old_name = target.name
    history_before = ChangeRecord.objects.count()
    with pytest.raises(IntegrityError):
        region_rename_then_fail(by=official, target=target, new_name="書きかけ")
    target.refresh_from_db()
    assert target.name == old_name
    assert ChangeRecord.objects.count() == history_before


def test_a_database_error_mid_service_rolls_back_everything(official, monkeypatch):
    """The database itself fails on the history insert: the record's own update is rolled back too."""
    from core import history

    target = region("3502")
    old_name = target.name

    def failing_record_change(**kwargs):
        raise OperationalError("connection lost during insert")

    monkeypatch.setattr(history, "record_change", failing_record_change)

    with pytest.raises(OperationalError), transaction.atomic():
        target.name = "途中で失敗"
        target.save()
        history.record_change(by=official, instance=target, action="update")
    target.refresh_from_db()
    assert target.name == old_name
