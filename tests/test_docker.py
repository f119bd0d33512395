"""No Docker engine runs here: check what can be checked without one."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_parses_and_names_web_and_db():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {"web", "db"}
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
    assert "gunicorn yamaguchi_portal.wsgi:application" in dockerfile
    assert "load_reference_data" in dockerfile


def test_system_deps_script_installs_japanese_fonts_and_chromium_for_tests():
    script = (ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    assert "fonts-ipaexfont-gothic" in script and "fonts-ipaexfont-mincho" in script
    assert "chromium" in script
