"""The production path for real: the Dockerfile's own commands, run here with DEBUG off.

No Docker engine runs here, so this module reads the Dockerfile and runs what it says: its build
step that collects the static files (with its ENV), then its CMD (migrate, the reference data,
gunicorn), against the database this test run uses — the PostgreSQL test database on the
PostgreSQL pass; on SQLite the test database lives in memory, so the image's own default (a SQLite
file under PORTAL_VAR_DIR, migrated by the CMD) instead. `make test` runs it on both.
"""

import http.client
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRONG_KEY = secrets.token_urlsafe(50)
ONE_YEAR = 365 * 24 * 3600


def dockerfile() -> dict:
    """The Dockerfile's ENV, its RUN commands (one per `&&`) and its CMD (exec form)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    parsed = {"env": {}, "run": [], "cmd": None}
    for line in text.splitlines():
        keyword, _, rest = line.strip().partition(" ")
        if keyword == "ENV":
            parsed["env"].update(item.split("=", 1) for item in shlex.split(rest))
        elif keyword == "RUN":
            parsed["run"] += [command.strip() for command in rest.split("&&")]
        elif keyword == "CMD":
            parsed["cmd"] = json.loads(rest)
    return parsed


def collectstatic_step() -> str:
    (step,) = [command for command in dockerfile()["run"] if "collectstatic" in command]
    return step


def image_env(var_dir: Path, **runtime) -> dict:
    """What a process in the image sees: the Dockerfile's ENV (its /app/var moved to var_dir), this
    virtualenv's python and gunicorn first on PATH as the image's are, and nothing from the test run
    (no DEBUG, no STATIC_MANIFEST=0, no SECURE_HTTPS=0)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(var_dir)),
        "LANG": "C.UTF-8",
    }
    env.update(dockerfile()["env"])
    env["PORTAL_VAR_DIR"] = str(var_dir)
    env.update(runtime)
    return env


def runtime_env(var_dir: Path, **extra) -> dict:
    """The variables docker-compose.yml gives the container, behind a TLS-terminating proxy."""
    return image_env(
        var_dir,
        SECRET_KEY=STRONG_KEY,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="1",
        **extra,
    )


_collected: dict[str, Path] = {}


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """PORTAL_VAR_DIR after the image's build step: the collected static files. Collected once per
    test run (tests/test_transfer.py uses it too): compressing plotly.js takes minutes on a busy machine."""
    if "var_dir" in _collected:
        return _collected["var_dir"]
    var_dir = tmp_path_factory.mktemp("image-var")
    result = subprocess.run(
        collectstatic_step(),
        shell=True,
        cwd=ROOT,
        env=image_env(var_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    _collected["var_dir"] = var_dir
    return var_dir


def manifest(var_dir: Path) -> dict:
    return json.loads((var_dir / "static" / "staticfiles.json").read_text(encoding="utf-8"))["paths"]


def test_collectstatic_writes_hashed_and_compressed_files_for_every_vendored_file(image):
    from core.staticfinders import VENDOR_FILES

    paths = manifest(image)
    for name in [*VENDOR_FILES, "css/portal.css", "favicon.svg"]:
        hashed = paths[name]
        assert hashed != name and re.search(r"\.[0-9a-f]{12}\.", hashed), hashed
        assert (image / "static" / hashed).is_file()
    bundle = paths["vendor/bootstrap/js/bootstrap.bundle.min.js"]
    assert (image / "static" / f"{bundle}.gz").is_file()
    # The references the manifest storage rewrote point at the hashed maps (the missing one broke it).
    css = (image / "static" / paths["vendor/bootstrap/css/bootstrap.min.css"]).read_text(encoding="utf-8")
    assert f"sourceMappingURL={Path(paths['vendor/bootstrap/css/bootstrap.min.css.map']).name}" in css


def test_check_deploy_passes_in_the_containers_environment(image):
    result = subprocess.run(
        ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=runtime_env(image),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def database_url_of_this_test_run() -> dict:
    """DATABASE_URL for the subprocess: this run's PostgreSQL test database; on SQLite none (the
    test database is in memory), so the image's default file under PORTAL_VAR_DIR is used."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return {
        "DATABASE_URL": f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log

    def get(self, path: str, *, https: bool = True, **headers):
        """(status, headers, body); https=True is what the TLS-terminating proxy adds."""
        if https:
            headers["X-Forwarded-Proto"] = "https"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


@pytest.fixture
def server(image, transactional_db, tmp_path):
    """The image's CMD, started as the container would start it; stopped (SIGTERM, as `docker stop`)
    before the test database is flushed. transactional_db: on PostgreSQL the CMD's own connections
    write to the test database (the reference data), and only a flush removes that afterwards."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = runtime_env(image, BIND_ADDRESS=f"127.0.0.1:{port}", **database_url_of_this_test_run())
    with log.open("w") as output:
        process = subprocess.Popen(
            dockerfile()["cmd"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Server(port, log)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8")[-4000:]
            assert time.monotonic() < deadline, (
                "gunicorn did not answer /healthz:\n" + log.read_text()[-4000:]
            )
            try:
                if running.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_gunicorn_serves_the_portal_with_debug_off(server, image):
    status, headers, body = server.get("/accounts/login/", https=False)
    assert status == 301 and headers["Location"].startswith("https://")  # HTTPS is the default

    status, headers, body = server.get("/accounts/login/")
    page = body.decode("utf-8")
    assert status == 200, page[-2000:]
    assert '<h1 class="h3 mb-3">ログイン</h1>' in page
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    # The page links the hashed name from the manifest, and WhiteNoise serves it for ten years.
    css = manifest(image)["vendor/bootstrap/css/bootstrap.min.css"]
    assert f'href="/static/{css}"' in page
    status, headers, body = server.get(f"/static/{css}", Accept_Encoding="gzip")
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= ONE_YEAR
    status, _, _ = server.get(f"/static/{manifest(image)['vendor/bootstrap/css/bootstrap.min.css.map']}")
    assert status == 200

    status, _, body = server.get("/healthz")
    assert (status, body) == (200, b"ok")

    # DEBUG really is off: an unknown address gets the portal's 404 page, not Django's debug page.
    status, _, body = server.get("/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body and "ページが見つかりません".encode() in body
