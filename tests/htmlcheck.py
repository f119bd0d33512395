"""Reading rendered forms in tests: a control's attributes and the error crispy shows beside it."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.texts.setdefault(attributes["id"], [])

    def handle_endtag(self, tag):
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id].append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def control(html: str, element_id: str) -> tuple[str, dict[str, str]]:
    """(tag, attributes) of the element with this id; fails when there is not exactly one."""
    found = [(tag, attrs) for tag, attrs in _parse(html).elements if attrs.get("id") == element_id]
    assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
    return found[0]


def classes(html: str, element_id: str) -> set[str]:
    return set(control(html, element_id)[1].get("class", "").split())


def error_beside(html: str, element_id: str) -> str:
    """The text crispy renders right after the control (its `<id>_error` feedback block), or ""."""
    return "".join(_parse(html).texts.get(f"{element_id}_error", [])).strip()


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (a message an `aria-describedby` points at)."""
    return "".join(_parse(html).texts.get(element_id, [])).strip()


def error_summary(html: str) -> list[tuple[str, str]]:
    """(href, text) of each entry of the page's error summary (templates/includes/error_summary.html)."""
    start = html.find("data-error-summary")
    if start < 0:
        return []
    block = html[start : html.index("</ul>", start)]
    return [
        (unescape(href), unescape(text))
        for href, text in re.findall(
            r'<li>(?:<a class="alert-link" href="([^"]*)">)?(.*?)(?:</a>)?</li>', block
        )
    ]
