"""No Docker engine runs here: check what can be checked without one.

The image's two production steps are scripts that tests/test_production.py runs for real, reading
them from the Dockerfile with the parser below: these tests pin that the Dockerfile runs exactly
those scripts, so what CI exercises is what the image does.
"""

import os
from pathlib import Path

import yaml

from tests.test_production import collectstatic_step, dockerfile, runtime_env

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_parses_and_names_its_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {"web", "db", "reminders"}  # reminders: tests/reminders
    db = compose["services"]["db"]
    assert int(db["image"].split(":")[1]) >= 15
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pgdata" in compose["volumes"]
    web = compose["services"]["web"]
    assert web["build"] == "."
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
        assert name in web["environment"]


def test_dockerfile_uses_the_same_setup_as_make():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "scripts/system-deps.sh" in dockerfile and "scripts/system-deps.sh" in makefile
    assert "--no-build-isolation -e ." in dockerfile and "--no-build-isolation -e" in makefile


def test_the_image_runs_the_scripts_the_production_test_runs():
    image = dockerfile()
    assert collectstatic_step() == "scripts/collectstatic.sh"
    assert image["run"].index("scripts/collectstatic.sh") > image["run"].index(
        "pip install --no-build-isolation -e ."
    )
    assert image["cmd"] == ["scripts/serve.sh"]
    for script in ("scripts/collectstatic.sh", "scripts/serve.sh"):
        assert os.access(ROOT / script, os.X_OK), script  # the exec-form CMD needs the bit
    serve = (ROOT / "scripts" / "serve.sh").read_text(encoding="utf-8")
    for step in (
        "manage.py migrate --noinput",
        "manage.py load_reference_data",
        "exec gunicorn yamaguchi_portal.wsgi",
    ):
        assert step in serve
    assert "manage.py collectstatic --noinput" in (ROOT / "scripts" / "collectstatic.sh").read_text()


def test_the_image_never_reads_or_contains_a_local_install():
    """var/local.env (DEBUG=1) must not reach the image, nor be read there if it did."""
    assert dockerfile()["env"]["PORTAL_ENV_FILE"] == ""
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"var", ".venv", ".git"} <= set(ignored)


def test_the_production_test_sets_only_what_compose_gives_the_container(tmp_path):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    given = set(compose["services"]["web"]["environment"])
    tested = set(runtime_env(tmp_path)) - set(dockerfile()["env"]) - {"PATH", "HOME", "LANG"}
    assert tested <= given, tested - given


def test_system_deps_script_installs_japanese_fonts_and_chromium_for_tests():
    script = (ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    assert "fonts-ipaexfont-gothic" in script and "fonts-ipaexfont-mincho" in script
    assert "chromium" in script
