from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in made through a request (the login and admin forms).

    Axes refuses an `authenticate()` call without a request; code that checks credentials with no
    request at all (Django's test client `login()`, a shell) has no client address to lock, so the
    check steps aside there and the next backend decides. Every sign-in over HTTP carries a request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
