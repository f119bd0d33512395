"""圏域の取組状況: each region's PDCA chains, and all regions side by side.

Everyone signed in reads them (summaries of agendas, actions and indicator values; no case detail).
The computations live in `pdca.chains`.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts import roles
from pdca import chains


def index(request):
    """All regions side by side: indicators not met, discussed, acted on, improved, not on an agenda."""
    own = (
        roles.editable_region_ids(request.user) if roles.is_health_centre_staff(request.user) else frozenset()
    )
    overview = chains.side_by_side(today=timezone.localdate(), own_region_ids=own)
    return render(request, "pdca/index.html", {"overview": overview})


def region_detail(request, region_code):
    """One region: for every indicator, the chain from the first discussion to today."""
    region = get_object_or_404(chains.portal_regions(), code=region_code)
    page = chains.region_page(region, today=timezone.localdate())
    return render(request, "pdca/region.html", {"page": page, "region": region})
