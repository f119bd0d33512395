"""Deny by default: every URL needs a signed-in user except the login page and /healthz."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"/accounts/login/", "/healthz"}
SAMPLE_ARGS = {"code": "3501", "pk": "1", "fiscal_year": "2022", "year": "2022", "region_code": "3501"}


def concrete_paths(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from concrete_paths(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("admin/") or "(?P" in route or "^" in route:
                continue
            for name, value in SAMPLE_ARGS.items():
                for converter in ("int", "str", "slug"):
                    route = route.replace(f"<{converter}:{name}>", value)
                route = route.replace(f"<{name}>", value)
            if "<" not in route:
                yield "/" + route


PATHS = sorted(set(concrete_paths()))


def test_the_url_list_is_not_empty():
    assert "/regions/" in PATHS
    assert "/" in PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in PATHS if p not in PUBLIC])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_login_page_and_healthz_are_public(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
