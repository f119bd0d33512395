from accounts import roles


def portal_user(request):
    """The signed-in user's role and health centre, for the header of every page."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    role = roles.role_of(user)
    return {
        "portal_role": role,
        "portal_role_label": roles.Role(role).label if role else "",
        "portal_health_centre": roles.health_centre_of(user),
        "portal_is_prefecture": role == roles.Role.PREFECTURE,
        "portal_can_write": roles.can_write(user),
    }
