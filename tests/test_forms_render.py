"""Forms render one way (CONTRIBUTING.md, "Forms"): through crispy-forms with the Bootstrap 5 pack.

Every template of the portal is scanned for form controls built by hand: Bootstrap's control classes,
`<input>` / `<select>` / `<textarea>` tags (hidden inputs excepted: they carry a value, not a control),
a bare `{{ field }}` or a radio's `{{ choice.tag }}`. The forms' Python may not set those classes
either: crispy adds them (with `is-invalid` when the field has errors). A failure names the file and
the line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "node_modules", ".git", "tests"}

HAND_BUILT = [
    (
        re.compile(
            r"\b(form-control|form-select|form-check-input|form-check-label|form-label|invalid-feedback)\b"
        ),
        "Bootstrap form class written by hand",
    ),
    (re.compile(r"<(select|textarea)\b", re.I), "control tag written by hand"),
    (re.compile(r"<input\b(?![^>]*\btype=\"hidden\")", re.I), "input tag written by hand"),
    (re.compile(r"\{\{\s*field\s*\}\}"), "field rendered without crispy"),
    (re.compile(r"\{\{\s*\w+\.tag\s*\}\}"), "choice rendered without crispy"),
]
CONTROL_CLASSES = re.compile(r"\b(form-control|form-select|form-check-input)(?![-\w])")


def _files(pattern: str):
    for path in sorted(ROOT.rglob(pattern)):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


TEMPLATES = [p for p in _files("*.html") if "templates" in p.relative_to(ROOT).parts]
FORM_MODULES = [p for p in _files("*.py") if p.name == "forms.py"]


def test_the_scan_sees_the_templates_and_forms():
    names = {p.relative_to(ROOT).as_posix() for p in TEMPLATES + FORM_MODULES}
    assert "templates/registration/login.html" in names
    assert "meetings/templates/meetings/case_detail.html" in names
    assert "core/forms.py" in names and "meetings/forms.py" in names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_template_builds_form_controls_by_hand(path):
    found = [
        f"{path.relative_to(ROOT)}:{number}: {why}: {line.strip()[:120]}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for pattern, why in HAND_BUILT
        if pattern.search(line)
    ]
    assert not found, "render the form with {% crispy form %} instead:\n" + "\n".join(found)


@pytest.mark.parametrize("path", FORM_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_form_sets_bootstrap_control_classes(path):
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if CONTROL_CLASSES.search(line)
    ]
    assert not found, "crispy adds the control classes; size them with Field(css_class=...):\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    "line",
    [
        '<input class="form-control" name="q">',
        '<select name="region">',
        "<td>{{ field }}</td>",
        "{{ choice.tag }}",
        '<label class="form-label small" for="x">',
    ],
)
def test_the_scan_would_catch_a_hand_built_control(line):
    assert any(pattern.search(line) for pattern, _ in HAND_BUILT)


def test_the_scan_lets_hidden_inputs_and_buttons_through():
    line = '<input type="hidden" name="next" value="/"><button class="btn btn-primary">送信</button>'
    assert not any(pattern.search(line) for pattern, _ in HAND_BUILT)
