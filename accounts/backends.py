from axes.backends import AxesStandaloneBackend
from django.core.exceptions import PermissionDenied

from accounts import lockout


class LockoutBackend(AxesStandaloneBackend):
    """The sign-in limits (accounts.lockout) for every sign-in made through a request (the login and
    admin forms): the portal's address lock and user-name delay, then django-axes' pair lock.

    Axes refuses an `authenticate()` call without a request; code that checks credentials with no
    request at all (Django's test client `login()`, a shell) has no client address to lock, so the
    check steps aside there and the next backend decides. Every sign-in over HTTP carries a request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        refusal = lockout.sign_in_refusal(request, username)
        if refusal is not None:
            # Marked as axes' own refusal: axes then neither counts the attempt nor extends a lock,
            # and its middleware answers with AXES_LOCKOUT_CALLABLE (which reads the refusal).
            setattr(request, lockout.REFUSED_ATTR, refusal)
            request.axes_locked_out = True
            raise PermissionDenied("sign-in refused by the portal's limits")
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except PermissionDenied:
            setattr(request, lockout.REFUSED_ATTR, "pair")
            raise
