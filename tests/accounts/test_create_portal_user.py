import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Role

pytestmark = pytest.mark.django_db
STRONG = "kyoto-river-lantern-2024"


def run(*args, **env):
    out = io.StringIO()
    call_command("create_portal_user", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def env_password(monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", STRONG)


def test_it_creates_health_centre_staff_by_part_of_the_centre_name(reference_data, env_password):
    output = run("tanaka", "--role", "health_centre", "--health-centre", "岩国")
    user = get_user_model().objects.get(username="tanaka")
    assert user.check_password(STRONG)
    assert user.profile.role == Role.HEALTH_CENTRE
    assert user.profile.health_centre.code == "iwakuni"
    assert "岩国健康福祉センター" in output


@pytest.mark.parametrize("centre", ["hofu", "山口健康福祉センター防府支所", "防府"])
def test_centre_by_code_full_name_or_unique_part(reference_data, env_password, centre):
    run("suzuki", "--role", "health_centre", "--health-centre", centre)
    assert get_user_model().objects.get(username="suzuki").profile.health_centre.code == "hofu"


def test_exact_full_name_wins_over_a_longer_match(reference_data, env_password):
    run("sato", "--role", "health_centre", "--health-centre", "山口健康福祉センター")
    assert get_user_model().objects.get(username="sato").profile.health_centre.code == "yamaguchi"


def test_an_ambiguous_centre_is_refused_with_the_candidates(reference_data, env_password):
    with pytest.raises(CommandError, match="複数に該当") as exc:
        run("x", "--role", "health_centre", "--health-centre", "山口")
    assert "防府支所" in str(exc.value)
    assert not get_user_model().objects.filter(username="x").exists()


def test_an_unknown_centre_is_refused(reference_data, env_password):
    with pytest.raises(CommandError, match="見つかりません"):
        run("x", "--role", "health_centre", "--health-centre", "札幌")


def test_an_unknown_role_is_refused(reference_data, env_password):
    with pytest.raises(CommandError, match="ロール「admin」は使えません"):
        run("x", "--role", "admin")


def test_staff_without_a_centre_is_refused(reference_data, env_password):
    with pytest.raises(CommandError, match="所属保健所"):
        run("x", "--role", "health_centre")


def test_prefecture_and_viewer_need_no_centre(reference_data, env_password):
    run("kencho", "--role", "prefecture")
    run("byoin", "--role", "viewer")
    users = get_user_model().objects
    assert users.get(username="kencho").profile.role == Role.PREFECTURE
    assert users.get(username="byoin").profile.health_centre is None


def test_a_weak_password_is_refused(reference_data, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "short")
    with pytest.raises(CommandError):
        run("weak", "--role", "viewer")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_without_env_or_terminal_it_asks_for_the_variable(reference_data, monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="PORTAL_USER_PASSWORD"):
        run("nopw", "--role", "viewer")


def test_an_existing_user_is_not_overwritten(reference_data, env_password):
    run("dup", "--role", "viewer")
    with pytest.raises(CommandError, match="既に存在"):
        run("dup", "--role", "prefecture")
    assert get_user_model().objects.get(username="dup").profile.role == Role.VIEWER


def test_demo_users_are_refused_without_debug(reference_data, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_users", stdout=io.StringIO())


def test_demo_users_print_passwords_once(reference_data, settings):
    settings.DEBUG = True
    first = io.StringIO()
    call_command("create_demo_users", stdout=first)
    second = io.StringIO()
    call_command("create_demo_users", stdout=second)
    assert first.getvalue().count(" / ") == 3
    assert " / " not in second.getvalue()
    assert "作成済み" in second.getvalue()
