import sys

from django.conf import settings
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


def server_error(request):
    """handler500: a database outage anywhere in the request becomes the 503 page, anything else 500."""
    from django.template.loader import render_to_string

    from core.middleware import database_unavailable_response, is_database_outage

    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))


def _bad_request_reason(exception) -> str:
    """What the user sent that the portal refused, in words they can act on."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return (
            f"送信された内容が大きすぎます（上限は約{limit_mb}MB です）。"
            "入力欄の文章を短くするか、ファイルを分けてから送信してください。"
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"送信された項目の数が多すぎます（上限は {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 項目です）。"
            "行の数を減らして、何回かに分けて保存してください。"
        )
    if isinstance(exception, TooManyFilesSent):
        return "一度に送信されたファイルの数が多すぎます。ファイルを分けて送信してください。"
    return "送信された内容を処理できませんでした。画面を開き直してから、もう一度お試しください。"


def bad_request(request, exception=None):
    """handler400: the portal's Japanese page saying what was wrong, not Django's English one."""
    reason = _bad_request_reason(exception)
    try:
        return render(request, "400.html", {"reason": reason}, status=400)
    except Exception:  # the request itself may be unusable (e.g. a disallowed host)
        return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: an expired or missing form token, explained in Japanese (403)."""
    return render(request, "403_csrf.html", {"no_cookie": "cookie" in (reason or "").lower()}, status=403)
