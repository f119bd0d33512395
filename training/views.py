from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import roles
from core.categories import OrganisationType
from core.changes import history_for
from core.confirm import Confirmation, confirmation_page, is_confirmed
from core.exports import download_stem, export_response
from core.fiscal import fiscal_year_label, fiscal_year_of, wareki_date
from core.forms import OrganisationCountsForm, StaleVersionError
from core.listing import query_without_page
from regions.models import Region
from training import services
from training.filters import SessionFilter
from training.forms import PeerSupportForm, TrainingSessionForm, YearForm, fiscal_year_choices
from training.models import PeerSupportProgramme, TrainingSession

PAGE_SIZE = 50
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2000, 2100


def _current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def _regions():
    return list(Region.objects.order_by("display_order", "code"))


def _session_years() -> list[int]:
    years = set(TrainingSession.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    return sorted(years | {_current_fiscal_year()}, reverse=True)


def _filtered_sessions(request):
    filters = SessionFilter(
        request.GET or None,
        TrainingSession.objects.restrict(request.user, "view").for_list(),
        years=_session_years(),
        regions=_regions(),
        user=request.user,
    )
    return filters.form, filters.qs


def session_list(request):
    """研修一覧: filters by 年度 / 圏域 / 研修区分, 50 a page, attendee totals in the same query."""
    form, sessions = _filtered_sessions(request)
    page = Paginator(sessions.with_attendee_total(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/session_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "query": query_without_page(request),
            "can_write": roles.can_write(request.user),
            "is_prefecture": roles.is_prefecture(request.user),
        },
    )


EXPORT_HEADER = [
    "ID",
    "年度",
    "開始日",
    "終了日",
    "研修時間",
    "研修区分",
    "研修名",
    "主催",
    "圏域",
    "会場",
    "参加者計",
    *(label for _, label in OrganisationType.choices),
    "アンケート回答数",
    "満足と回答した人数",
    "満足の割合（%）",
    "参加者の要望・意見",
]


def _export_rows(sessions):
    for s in sessions.iterator(chunk_size=2000):
        rate = s.satisfaction_rate
        yield [
            s.pk,
            fiscal_year_label(s.fiscal_year),
            s.start_date,
            s.end_date,
            float(s.hours),
            s.get_course_display(),
            s.title,
            s.organiser_label,
            s.region_label,
            s.place,
            s.attendees_total,
            *(getattr(s, f"attendees_{value}") for value in OrganisationType.values),
            s.respondents,
            s.satisfied,
            round(rate, 1) if rate is not None else "",
            s.requests,
        ]


def _export_sessions(request):
    _, sessions = _filtered_sessions(request)
    return sessions.with_attendee_counts()


def _export(request, fmt: str):
    rows = _export_rows(_export_sessions(request))
    return export_response(fmt, download_stem("研修一覧"), EXPORT_HEADER, rows, sheet_title="研修一覧")


def session_export_csv(request):
    """The filtered list as CSV (UTF-8 with BOM), every row, attendee counts by category."""
    return _export(request, "csv")


def session_export_xlsx(request):
    """The filtered list as an Excel workbook, same columns as the CSV."""
    return _export(request, "xlsx")


def _session_for(request, pk, *, action="view"):
    queryset = TrainingSession.objects.select_related("region", "organiser_health_centre")
    return roles.get_for_user(queryset, request.user, action=action, pk=pk)


def session_detail(request, pk):
    session = _session_for(request, pk)
    counts = {a.organisation_type: a.count for a in session.attendances.all()}
    attendance = [(label, counts.get(value, 0)) for value, label in OrganisationType.choices]
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "attendance": attendance,
            "attendees_total": sum(counts.values()),
            "can_edit": not session.is_deleted and roles.can_edit_region(request.user, session.region_id),
            "is_prefecture": roles.is_prefecture(request.user),
        },
    )


def _save_session(request, *, session=None):
    is_new = session is None
    initial_counts = {} if is_new else {a.organisation_type: a.count for a in session.attendances.all()}
    data = request.POST if request.method == "POST" else None
    form = TrainingSessionForm(data, instance=session, user=request.user)
    counts_form = OrganisationCountsForm(data, initial_counts=initial_counts, layout="rows")
    conflict_rows = None
    if request.method == "POST":
        form_ok, counts_ok = form.is_valid(), counts_form.is_valid()
        if form_ok and counts_ok:
            try:
                if is_new:
                    saved = services.training_session_create(
                        by=request.user, attendee_counts=counts_form.counts(), **form.service_data()
                    )
                    messages.success(request, "研修を登録しました。")
                else:
                    saved = services.training_session_update(
                        by=request.user,
                        session=session,
                        version=form.loaded_version,
                        attendee_counts=counts_form.counts(),
                        **form.service_data(),
                    )
                    messages.success(request, "研修を更新しました。")
                return redirect("training:session_detail", pk=saved.pk)
            except StaleVersionError as exc:
                conflict_rows = services.training_session_conflict_rows(
                    session=exc.instance,
                    loaded_version=form.loaded_version or 0,
                    attendee_counts=counts_form.counts(),
                    **form.service_data(),
                )
                form = _reloaded(TrainingSessionForm, exc, request.POST, user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
    return render(
        request,
        "training/session_form.html",
        {
            "form": form,
            "counts_form": counts_form,
            "session": session,
            "is_new": is_new,
            "conflict_rows": conflict_rows,
        },
    )


def _reloaded(form_class, conflict: StaleVersionError, data, **kwargs):
    """The editor's input again, now carrying the stored version: saving once more is a deliberate overwrite."""
    data = data.copy()
    data["version"] = str(conflict.instance.version)
    form = form_class(data, instance=conflict.instance, **kwargs)
    form.is_valid()
    form.add_error(None, str(conflict))
    return form


@roles.writer_required
def session_create(request):
    return _save_session(request)


@roles.writer_required
def session_edit(request, pk):
    session = _session_for(request, pk, action="change")  # 403 for a deleted session: restore it first
    return _save_session(request, session=session)


def _session_confirmation(session: TrainingSession, *, restore: bool) -> Confirmation:
    what = f"研修「{session.title}」（{wareki_date(session.start_date)}・{session.region_label}）"
    if restore:
        return Confirmation(
            title="この研修を復元しますか",
            lead=f"削除した{what}を復元します。",
            points=["研修は受講者数とともに、一覧・集計・ダッシュボードに戻ります。"],
            action_url=reverse("training:session_restore", args=[session.pk]),
            submit_label="復元する",
            back_url=reverse("training:session_detail", args=[session.pk]),
            danger=False,
        )
    return Confirmation(
        title="この研修を削除しますか",
        lead=f"{what}を削除します。",
        points=[
            "研修とその受講者数は、一覧・集計・ダッシュボードから外れます。",
            "削除した研修は、県職員だけが削除済みの一覧から復元できます。保健所職員には表示されません。",
            "削除した記録は消えずに残り、変更履歴に誰が削除したかが残ります。",
        ],
        action_url=reverse("training:session_delete", args=[session.pk]),
        submit_label="削除する",
        back_url=reverse("training:session_detail", args=[session.pk]),
    )


@require_http_methods(["GET", "POST"])
@roles.prefecture_required
def session_delete(request, pk):
    """GET: what deleting will do; POST (from that page only): delete."""
    session = _session_for(request, pk, action="delete")
    if not is_confirmed(request):
        confirmation = _session_confirmation(session, restore=False)
        return confirmation_page(request, confirmation, refused=request.method == "POST")
    services.training_session_delete(by=request.user, session=session)
    messages.success(request, "研修を削除しました（県職員は削除済み一覧から復元できます）。")
    return redirect("training:index")


@require_http_methods(["GET", "POST"])
@roles.prefecture_required
def session_restore(request, pk):
    """GET: what restoring will do; POST (from that page only): restore."""
    session = _session_for(request, pk, action="delete")
    if not is_confirmed(request):
        confirmation = _session_confirmation(session, restore=True)
        return confirmation_page(request, confirmation, refused=request.method == "POST")
    services.training_session_restore(by=request.user, session=session)
    messages.success(request, "研修を復元しました。")
    return redirect("training:session_detail", pk=session.pk)


def session_history(request, pk):
    session = _session_for(request, pk)
    return render(
        request, "training/session_history.html", {"session": session, "entries": history_for(session)}
    )


# --- Peer-supporter programme ---------------------------------------------------------------------


def _fiscal_year_param(request) -> int:
    try:
        year = int(request.GET.get("fiscal_year", ""))
    except ValueError:
        return _current_fiscal_year()
    return year if MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR else _current_fiscal_year()


def _check_year(fiscal_year: int) -> None:
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise Http404("年度が範囲外です")


def _year_form(fiscal_year, extra_years) -> YearForm:
    current = _current_fiscal_year()
    choices = fiscal_year_choices({*range(current - 5, current + 2), *extra_years})
    return YearForm(choices=choices, fiscal_year=fiscal_year)


def peer_support_list(request):
    """ピアサポーター活用事業: every region's programme in one 年度 (missing ones shown as 未登録)."""
    fiscal_year = _fiscal_year_param(request)
    regions = _regions()
    programmes = {
        p.region_id: p
        for p in PeerSupportProgramme.objects.restrict(request.user, "view")
        .in_fiscal_year(fiscal_year)
        .select_related("region")
    }
    editable = roles.editable_region_ids(request.user)
    rows = [
        {
            "region": region,
            "programme": programmes.get(region.pk),
            "can_edit": editable is None or region.pk in editable,
        }
        for region in regions
    ]
    years = PeerSupportProgramme.objects.order_by().values_list("fiscal_year", flat=True).distinct()
    return render(
        request,
        "training/peer_support_list.html",
        {
            "rows": rows,
            "fiscal_year": fiscal_year,
            "year_form": _year_form(fiscal_year, [*years, fiscal_year]),
        },
    )


def peer_support_detail(request, region_code, fiscal_year):
    _check_year(fiscal_year)
    region = get_object_or_404(Region, code=region_code)
    programme = (
        PeerSupportProgramme.objects.restrict(request.user, "view")
        .filter(region=region, fiscal_year=fiscal_year)
        .first()
    )
    return render(
        request,
        "training/peer_support_detail.html",
        {
            "region": region,
            "fiscal_year": fiscal_year,
            "programme": programme,
            "can_edit": roles.can_edit_region(request.user, region),
        },
    )


@roles.writer_required
def peer_support_edit(request, region_code, fiscal_year):
    _check_year(fiscal_year)
    region = get_object_or_404(Region, code=region_code)
    if not roles.can_edit_region(request.user, region):
        raise PermissionDenied("この圏域の記録を登録・変更する権限がありません。")
    programme = (
        PeerSupportProgramme.objects.restrict(request.user, "change")
        .filter(region=region, fiscal_year=fiscal_year)
        .first()
    )
    form = PeerSupportForm(request.POST if request.method == "POST" else None, instance=programme)
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        try:
            services.peer_support_save(
                by=request.user,
                region=region,
                fiscal_year=fiscal_year,
                version=form.loaded_version or 0,  # 0: the page showed no programme yet
                **form.service_data(),
            )
        except StaleVersionError as exc:
            conflict_rows = services.peer_support_conflict_rows(
                programme=exc.instance,
                loaded_version=form.loaded_version or 0,
                **form.service_data(),
            )
            form = _reloaded(PeerSupportForm, exc, request.POST)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "ピアサポーター活用事業を保存しました。")
            return redirect("training:peer_support_detail", region_code=region.code, fiscal_year=fiscal_year)
    return render(
        request,
        "training/peer_support_form.html",
        {
            "form": form,
            "region": region,
            "fiscal_year": fiscal_year,
            "programme": programme,
            "conflict_rows": conflict_rows,
        },
    )


def peer_support_history(request, region_code, fiscal_year):
    _check_year(fiscal_year)
    programme = roles.get_for_user(
        PeerSupportProgramme.objects.select_related("region"),
        request.user,
        action="view",
        region__code=region_code,
        fiscal_year=fiscal_year,
    )
    return render(
        request,
        "training/peer_support_history.html",
        {"programme": programme, "entries": history_for(programme)},
    )


# --- Summary --------------------------------------------------------------------------------------


def summary(request):
    """圏域別・年度別の集計: sessions, hours, attendees by category, peer supporters (services.training_summary)."""
    fiscal_year = _fiscal_year_param(request)
    rows = services.training_summary(fiscal_year=fiscal_year)
    total = services.summary_total(rows)
    years = TrainingSession.objects.order_by().values_list("fiscal_year", flat=True).distinct()
    return render(
        request,
        "training/summary.html",
        {
            "rows": rows,
            "total": total,
            "fiscal_year": fiscal_year,
            "year_form": _year_form(fiscal_year, [*years, fiscal_year]),
        },
    )
