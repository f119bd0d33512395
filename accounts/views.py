from django.shortcuts import render

from accounts import roles


def home(request):
    """ダッシュボード: the signed-in user's starting page."""
    centre = roles.health_centre_of(request.user)
    regions = list(centre.regions.all()) if centre else []
    return render(request, "home.html", {"health_centre": centre, "own_regions": regions})
