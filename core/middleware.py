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

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

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
