import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import prefecture_required

AUDIT_PAGE_SIZE = 50


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


def _audit_filter(request):
    from core.audit_forms import AuditFilterForm
    from core.auditlog import AuditFilter

    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, AuditFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            username=data["username"].strip(),
            kind=data["kind"],
        )
    if form.is_bound:
        return form, None
    return form, AuditFilter()


@prefecture_required
@require_GET
def audit_log(request):
    """監査ログ: sign-ins, record views, downloads, rights and data changes in one list (officials only)."""
    from core.auditlog import rows_for_keys

    form, audit_filter = _audit_filter(request)
    page = None
    rows = []
    if audit_filter is not None:
        paginator = Paginator(audit_filter.combined_keys(), AUDIT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = rows_for_keys(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@prefecture_required
@require_GET
def audit_log_export(request):
    """The filtered audit trail as CSV (recorded, like every download, by DownloadAuditMiddleware)."""
    from core.auditlog import CSV_HEADER, csv_row, iter_rows
    from core.exports import csv_response

    form, audit_filter = _audit_filter(request)
    if audit_filter is None:
        return render(request, "core/audit_log.html", {"form": form, "page": None, "rows": []}, status=400)
    filename = f"監査ログ_{timezone.localdate():%Y%m%d}.csv"
    return csv_response(filename, CSV_HEADER, (csv_row(row) for row in iter_rows(audit_filter)))


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
