import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def healthz(request):
    """Plain "ok" when the database answers; 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def not_built(request, *, section: str, issue: str):
    """A section whose feature has not landed yet says so plainly instead of pretending."""
    return render(request, "not_built.html", {"section": section, "issue": issue})


def server_error(request):
    """handler500: a database outage anywhere in the request becomes the 503 page, anything else 500."""
    from django.template.loader import render_to_string

    from core.middleware import database_unavailable_response, is_database_outage

    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))
