"""Signed-in sessions for the load test (bench/load.sh): what a sign-in would store, made directly.

    python bench/sessions.py var/load-sessions.json

Writes, for the generated users (bench-official with a TOTP-verified session when two-factor
sign-in is installed, Yamaguchi's health-centre staff, viewers), a session cookie each, plus
the ids the workload picks from: meetings, regions and fiscal years. Signing in through the form
for every simulated user would measure password hashing (deliberately slow) and django-axes,
not the pages.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamaguchi_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("SECURE_HTTPS", "0")


def session_cookie(user) -> str:
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.roles import is_prefecture

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if is_prefecture(user) and apps.is_installed("django_otp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.set_expiry(4 * 3600)
    store.create()
    return store.session_key


def main(argv=None):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from accounts.roles import editable_region_ids, health_centre_of, role_of
    from bench.dataset import YAMAGUCHI
    from bench.records import meetings_available
    from regions.models import Region

    out = Path((argv or sys.argv[1:] or ["var/load-sessions.json"])[0])
    User = get_user_model()
    names = ["bench-official"] + [f"bench-viewer-{i}" for i in range(1, 6)]
    names += [f"bench-staff-{code}" for code in ("iwakuni", "yanai", "shunan", "yamaguchi", "ube", "hagi")]
    users = []
    for user in User.objects.filter(username__in=names).order_by("username"):
        centre = health_centre_of(user)
        region_ids = sorted(editable_region_ids(user) or [])
        users.append(
            {
                "username": user.username,
                "role": role_of(user),
                "cookie": session_cookie(user),
                "centre": centre.pk if centre else None,
                "regions": region_ids,
            }
        )
    rng = random.Random(1)
    meeting_ids = []
    if meetings_available():
        from meetings.models import Meeting

        ids = list(Meeting.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True))
        meeting_ids = sorted(rng.sample(ids, min(2000, len(ids))))
    data = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "users": users,
        "meetings": meeting_ids,
        "regions": list(Region.objects.filter(prefecture__code=YAMAGUCHI).values_list("pk", flat=True)),
        "fiscal_years": list(range(2015, 2026)),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"{out}: {len(users)} 人分のセッション、会議 {len(meeting_ids)} 件")


if __name__ == "__main__":
    main()
