from indicators.small_counts import reader_for


def small_counts(request):
    """`reader`: who reads the page, for the small counts' `shown` filter (nothing is read until used)."""
    return {"reader": reader_for(getattr(request, "user", None))}
