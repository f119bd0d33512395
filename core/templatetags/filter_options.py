"""The <option>s of a list filter's select, built in one pass.

At national scale the meeting list's 圏域 select has 335 options; the template loop cost about
20 µs each (bench/CHANGES.md). The markup is the one includes/filter_fields.html had.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def select_options(field):
    current = str(field.value())
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == current else ""}>{escape(label)}</option>'
            for value, label in field.field.choices
        )
    )
