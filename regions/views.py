from django.shortcuts import get_object_or_404, render

from regions.models import Region


def region_list(request):
    regions = list(
        Region.objects.select_related("prefecture").with_counts().prefetch_related("health_centres")
    )
    return render(request, "regions/region_list.html", {"regions": regions})


def region_detail(request, code):
    region = get_object_or_404(Region.objects.select_related("prefecture"), code=code)
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "municipalities": region.municipalities.order_by("code"),
            "health_centres": region.health_centres.order_by("display_order"),
        },
    )
