"""The portal's answer when its database is unreachable: a plain Japanese 503 page, never a traceback.

A database that has gone away surfaces as django.db's OperationalError / InterfaceError, raised
wherever the first query happens — loading the session in the authentication middleware, in a view,
or while rendering a template. `DatabaseUnavailableMiddleware.process_exception` answers those from
views; `core.views.server_error` (the project's handler500) answers the ones raised elsewhere. Both
render `503.html` from the template files alone, without a request context, so showing the page
needs no query. With CONN_HEALTH_CHECKS the next request after the database returns opens a fresh
connection: the portal recovers without a restart.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

logger = logging.getLogger("core.database")

DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        logger.error("database unavailable while serving %s: %s", request.path, exception)
        return database_unavailable_response()


def attachment_filename(content_disposition: str) -> str | None:
    """The file name of an `attachment` Content-Disposition (RFC 6266 `filename*` first), else None."""
    if not content_disposition.lower().startswith("attachment"):
        return None
    params = dict(part.strip().split("=", 1) for part in content_disposition.split(";")[1:] if "=" in part)
    if "filename*" in params:
        charset, _, quoted = params["filename*"].partition("''")
        return unquote(quoted, encoding=charset or "utf-8")
    return params.get("filename", "").strip('"')


class DownloadAuditMiddleware:
    """Record every file a signed-in user downloads (CSV, Excel, PDF…) in the audit log, and keep
    every download and every page that showed sensitive records out of browser and proxy caches.

    Every export in the portal answers with `Content-Disposition: attachment`, so auditing here,
    in one place, covers each export and sheet download — including ones added later — without
    relying on every view to remember a call. A view that shows case data records the read with
    core.audit (audit_view / audit_list_view), which marks the request for `no-store` here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.audit import SENSITIVE_ATTR, audit_download

        response = self.get_response(request)
        filename = attachment_filename(response.get("Content-Disposition", ""))
        user = getattr(request, "user", None)
        if filename and response.status_code == 200 and user is not None and user.is_authenticated:
            audit_download(request, request.path, filename)
        if filename or getattr(request, SENSITIVE_ATTR, False):
            # A shared office PC's browser cache or an intranet proxy must not keep case data.
            response.headers.pop("Expires", None)
            patch_cache_control(response, no_store=True, private=True, no_cache=True, max_age=0)
        return response
