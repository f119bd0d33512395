from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from accounts import roles
from meetings.models import ActionItem
from regions.models import Region

HOME_ACTION_LIMIT = 20


def _action_items_for_staff(region_ids, today):
    """The open items of the staff's region(s), overdue first, and their counts (two queries)."""
    items = ActionItem.objects.alive().open().for_regions(region_ids)
    counts = items.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rows = list(
        items.select_related("meeting", "meeting__region").order_by("due_date", "pk")[:HOME_ACTION_LIMIT]
    )
    return {"items": [(item, item.is_overdue(today)) for item in rows], **counts}


def _action_counts_per_region(today):
    """Open and overdue items per region for officials: one grouped query plus the region list."""
    grouped = (
        ActionItem.objects.alive()
        .open()
        .order_by()
        .values("meeting__region")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    by_region = {row["meeting__region"]: row for row in grouped}
    rows = [
        (region, by_region.get(region.pk, {}).get("open", 0), by_region.get(region.pk, {}).get("overdue", 0))
        for region in Region.objects.order_by("display_order", "code")
    ]
    prefecture = by_region.get(None, {})
    rows.append((None, prefecture.get("open", 0), prefecture.get("overdue", 0)))
    return rows


def home(request):
    """ダッシュボード: the signed-in user's starting page."""
    centre = roles.health_centre_of(request.user)
    regions = list(centre.regions.all()) if centre else []
    today = timezone.localdate()
    context = {"health_centre": centre, "own_regions": regions, "today": today}
    if centre:
        context["own_actions"] = _action_items_for_staff([r.pk for r in regions], today)
    elif roles.is_prefecture(request.user):
        context["region_actions"] = _action_counts_per_region(today)
    return render(request, "home.html", context)
