"""A real SMTP round trip: send_reminders through Django's SMTP backend to a local aiosmtpd server, the
message read back as a mail program would (Japanese subject and body, UTF-8, correct headers); and the
same over STARTTLS with a self-signed certificate made by the openssl command (verified, not ignored)."""

from __future__ import annotations

import email
import email.policy
import io
import re
import shutil
import socket
import ssl
import subprocess
from datetime import date
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError

from reminders.models import SentReminder
from tests.meetings.factories import ActionItemFactory
from tests.reminders.digest_helpers import DAY, receive

pytestmark = pytest.mark.django_db
SUBJECT = "【山口県 地域移行ポータル】期限が近い対応事項 1件・期限超過 1件"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collect:
    """An aiosmtpd handler keeping every envelope, and whether its session was encrypted."""

    def __init__(self):
        self.envelopes = []
        self.encrypted = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.encrypted.append(session.ssl is not None)
        return "250 OK"


def smtp_settings(settings, port: int, *, tls: bool) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = tls
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://portal.example.jp"


@pytest.fixture
def due_items(iwakuni_staff):
    receive(iwakuni_staff, email="tanaka@example.jp")
    ActionItemFactory(description="グループホームの空き状況を確認する", due_date=date(2022, 11, 30))
    ActionItemFactory(description="退院後の通所先を調整する", due_date=date(2022, 11, 1))


def send() -> str:
    out = io.StringIO()
    call_command("send_reminders", date=DAY.isoformat(), stdout=out)
    return out.getvalue()


def check_message(raw: bytes) -> None:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are 7-bit: non-ASCII is MIME-encoded
    lines = head.replace("\r\n ", " ").split("\r\n")  # folded lines unfolded
    (subject,) = [line for line in lines if line.startswith("Subject:")]
    assert re.fullmatch(r"Subject:\s+=\?utf-8\?b\?\S+\?=( =\?utf-8\?b\?\S+\?=)*", subject)
    assert 'Content-Type: text/plain; charset="utf-8"' in lines
    # RFC 2047 decoding of the encoded words (the classic API, as mail programs decode them) …
    assert str(make_header(decode_header(subject.removeprefix("Subject:")))) == SUBJECT
    message = email.message_from_bytes(raw, policy=email.policy.default)
    # … and the modern parser's: Python's compat32 folding puts the first encoded word on a continuation
    # line ("Subject: \r\n =?utf-8?b?…"), whose folding space this parser keeps; it is not part of the text.
    assert message["Subject"].lstrip() == SUBJECT
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Type"] == 'text/plain; charset="utf-8"'
    assert message["MIME-Version"] == "1.0"
    assert message["To"] == "tanaka@example.jp"
    assert message["From"].addresses[0].display_name == "山口県 地域移行ポータル"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime.utcoffset().total_seconds() == 9 * 3600
    assert message["Message-ID"]
    body = message.get_content().replace("\r\n", "\n")  # CRLF on the wire
    assert body.startswith("iwakuni-staff 様\n")
    assert "■ 期限超過（1件）\n・退院後の通所先を調整する" in body
    assert "■ 期限が近い対応事項（1件）\n・グループホームの空き状況を確認する" in body
    assert "https://portal.example.jp/meetings/actions/" in body
    assert "https://portal.example.jp/reminders/settings/" in body


def test_a_japanese_digest_through_a_real_smtp_server(settings, due_items):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_settings(settings, controller.port, tls=False)
        send()
    finally:
        controller.stop()
    (envelope,) = handler.envelopes
    assert envelope.mail_from == "noreply@localhost"
    assert envelope.rcpt_tos == ["tanaka@example.jp"]
    check_message(envelope.original_content)
    assert set(SentReminder.objects.values_list("status", flat=True)) == {"sent"}


def test_a_server_that_is_down_is_a_failed_send(settings, due_items):
    smtp_settings(settings, free_port(), tls=False)  # nothing listens there
    with pytest.raises(CommandError):
        send()
    assert set(SentReminder.objects.values_list("status", flat=True)) == {"failed"}
    assert "ConnectionRefusedError" in SentReminder.objects.first().error


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 and localhost (the openssl command: no Python package)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl がないため、自己署名証明書を作れません（STARTTLS の試験を省略）")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def starttls_server(certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Collect()
    # require_starttls: the server refuses MAIL FROM before STARTTLS, so a sent mail went encrypted.
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True
    )
    controller.start()
    yield controller, handler, cert
    controller.stop()


def test_starttls_with_the_servers_certificate_verified(settings, monkeypatch, due_items, starttls_server):
    controller, handler, cert = starttls_server
    smtp_settings(settings, controller.port, tls=True)
    # ssl.create_default_context() (Django's) trusts the CAs OpenSSL is told about: here, only our certificate.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    send()
    assert handler.encrypted == [True]
    check_message(handler.envelopes[0].original_content)


def test_starttls_refuses_a_certificate_it_cannot_verify(
    settings, monkeypatch, due_items, starttls_server, tmp_path
):
    controller, handler, _ = starttls_server
    smtp_settings(settings, controller.port, tls=True)
    empty = tmp_path / "no-ca.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with pytest.raises(CommandError):
        send()
    assert handler.envelopes == []
    assert "SSLCertVerificationError" in SentReminder.objects.first().error
