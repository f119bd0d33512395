"""The header's menu links, marked when they lead to the page shown (`{% nav_link %}` in
includes/header.html).

A screen reader learns where the user is only from `aria-current`, not from the `active` colour: the
link to the very page shown says `aria-current="page"`, the link of the section the page belongs to
(a meeting's page under 会議) says `aria-current="true"`. The section is read from the URL the request
resolved to (its namespace and name), not from the path's first letters: /indicators/datasets/ is 提出・承認,
not 指標. A record that is not found stays in its section; an address that resolves to nothing marks nothing.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

# URL namespace → menu section; the data sets' pages (under dashboard and indicators) are their own.
_SECTIONS = {
    "meetings": "meetings",
    "training": "training",
    "dashboard": "indicators",
    "indicators": "indicators",
    "pdca": "pdca",
    "regions": "regions",
    "sheets": "sheets",
}


def section_of(match) -> str | None:
    """The menu section of a resolved URL (`request.resolver_match`), None outside the menu's sections."""
    if match is None:
        return None
    if not match.namespace:
        return "home" if match.url_name == "home" else None
    section = _SECTIONS.get(match.namespaces[0])
    if section == "indicators" and (match.url_name or "").startswith(("dataset", "deadline")):
        return "datasets"
    return section


def current_state(request, section: str, href: str) -> str | None:
    """ "page" when `href` is the page shown, "true" when the page is in `section`, else None."""
    if request is None:
        return None
    if request.path == href:
        return "page"
    if section != "home" and section_of(getattr(request, "resolver_match", None)) == section:
        return "true"
    return None


@register.simple_tag(takes_context=True)
def nav_link(context, section: str, url_name: str, label: str):
    """<a class="nav-link"> to `url_name`, active with its aria-current when the page is in `section`."""
    href = reverse(url_name)
    state = current_state(context.get("request"), section, href)
    if state is None:
        return format_html('<a class="nav-link" href="{}">{}</a>', href, label)
    return format_html('<a class="nav-link active" href="{}" aria-current="{}">{}</a>', href, state, label)


@register.simple_tag(takes_context=True)
def menu_item(context, url_name: str, label: str):
    """<a class="dropdown-item"> of the 設定 menu: aria-current="page" (and active) on the page it leads to."""
    href = reverse(url_name)
    if current_state(context.get("request"), "", href) == "page":
        return format_html(
            '<a class="dropdown-item active" href="{}" aria-current="page">{}</a>', href, label
        )
    return format_html('<a class="dropdown-item" href="{}">{}</a>', href, label)
