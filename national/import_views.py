"""The national wide-table import pages (officials only): upload, detection and mapping, saved layouts.

Thin: reading and detection are `national.widetable`, writes `national.services`; the batch a mapping
becomes is previewed, confirmed and undone on the long import's pages (indicators:import_detail).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import roles
from indicators import importing
from indicators.forms import ImportConfirmForm
from indicators.services import imports as import_services
from national import forms, services, widetable
from national.models import WideImport, WideTableLayout

PREVIEW_ROWS = 8  # the first rows of the file as read, shown above the detection


@roles.prefecture_required
def import_new(request):
    form = forms.WideUploadForm(request.POST or None, request.FILES or None)
    upload_error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(importing.MAX_UPLOAD_BYTES + 1)
        try:
            wide = services.wide_import_create(
                by=request.user, file_name=upload.name, data=data, source=form.cleaned_data["source"]
            )
        except widetable.UploadError as exc:
            upload_error = str(exc)
        else:
            return redirect("national:import_map", pk=wide.pk)
    return render(
        request,
        "national/import_new.html",
        {
            "form": form,
            "upload_error": upload_error,
            "recent": WideImport.objects.select_related("batch", "uploaded_by")[:10],
        },
        status=400 if request.method == "POST" else 200,
    )


def _page(request, wide, *, form=None, problems=(), errors=(), status=200):
    detection = services.detection_of(wide)
    if form is None:
        mapping = services.mapping_from_layout(wide.layout or services.layout_for(detection), detection)
        form = forms.MappingForm(
            detection=detection,
            mapping=mapping,
            initial={"layout_name": wide.source or (wide.layout.name if wide.layout else wide.file_name)},
        )
    width = (
        max((len(r) for r in wide.table[: detection.rows[0].index + 3]), default=0) if detection.rows else 0
    )
    first_rows = [
        (number + 1, row[: min(width, 12)])
        for number, row in enumerate(
            wide.table[: max(PREVIEW_ROWS, (detection.rows[0].index + 3) if detection.rows else 0)]
        )
    ]
    batch = wide.batch
    return render(
        request,
        "national/import_map.html",
        {
            "wide": wide,
            "batch": batch,
            "detection": detection,
            "first_rows": first_rows,
            "header_lines": [i + 1 for i in detection.header_rows],
            "form": form,
            "problems": problems,
            "errors": errors,
            "matched_count": sum(1 for r in detection.rows if r.area is not None),
            "kept_values": services.gaps_kept_values(wide) if batch else set(),
            "confirm_form": ImportConfirmForm() if batch else None,
        },
        status=status,
    )


def _wide(pk: int) -> WideImport:
    return get_object_or_404(WideImport.objects.select_related("batch", "layout"), pk=pk)


@roles.prefecture_required
def import_map(request, pk: int):
    """The detection (header rows, area column, value columns, unmatched rows) with the mapping; once
    mapped, what the batch holds and the confirmation (the long import's)."""
    wide = _wide(pk)
    try:
        detection = services.detection_of(wide)
    except widetable.UploadError as exc:  # the areas changed since the upload: read it again
        messages.error(request, f"{exc}（読み取った表をもう一度選んでください）")
        return redirect("national:import_new")
    if request.method != "POST" or wide.batch_id is not None:
        return _page(request, wide)
    mapping = services.mapping_from_layout(wide.layout or services.layout_for(detection), detection)
    form = forms.MappingForm(request.POST, detection=detection, mapping=mapping)
    if not form.is_valid():
        return _page(request, wide, form=form, status=400)
    try:
        services.wide_import_map(
            by=request.user,
            wide=wide,
            mapping=form.mapping(),
            skip_lines=form.skip_lines(),
            layout_name=form.cleaned_data["layout_name"],
        )
    except services.MappingIncomplete as exc:
        return _page(request, wide, form=form, problems=exc.problems, status=400)
    except import_services.ImportRejected as exc:
        return _page(request, wide, form=form, errors=exc.errors, status=400)
    messages.success(request, "対応付けを保存しました。内容を確かめて「取り込む」を押してください。")
    return redirect("national:import_map", pk=wide.pk)


@roles.prefecture_required
def layout_list(request):
    layouts = WideTableLayout.objects.select_related("created_by")
    return render(
        request,
        "national/layout_list.html",
        {"layouts": [(layout, forms.LayoutRenameForm(initial={"name": layout.name})) for layout in layouts]},
    )


@roles.prefecture_required
@require_POST
def layout_rename(request, pk: int):
    layout = get_object_or_404(WideTableLayout, pk=pk)
    form = forms.LayoutRenameForm(request.POST)
    if form.is_valid():
        services.layout_rename(by=request.user, layout=layout, name=form.cleaned_data["name"])
        messages.success(request, "保存名を変えました。")
    else:
        messages.error(request, "保存名を入力してください（100文字まで）。")
    return redirect("national:layouts")


@roles.prefecture_required
@require_POST
def layout_delete(request, pk: int):
    layout = get_object_or_404(WideTableLayout, pk=pk)
    services.layout_delete(by=request.user, layout=layout)
    messages.success(request, "対応付けを削除しました（取り込んだ値はそのままです）。")
    return redirect("national:layouts")
