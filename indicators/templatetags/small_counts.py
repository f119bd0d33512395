"""Small counts in templates: each tag hands the cell to `indicators.small_counts.Reader`, the one
place that decides what a reader sees. The reader is the page's `reader` (the context processor
`indicators.context_processors.small_counts`); a template rendered without one (a PDF, rendered
without a request) reads as the public."""

from django import template

from indicators.small_counts import PUBLIC, record_count_cell

register = template.Library()


def _reader(context):
    return context.get("reader") or PUBLIC


@register.simple_tag(takes_context=True)
def shown(context, cell):
    """`{% shown cell %}`: the value, 「＊」, or the value with a superscript ＊."""
    return _reader(context).show(cell)


@register.simple_tag(takes_context=True)
def case_count_shown(context, meeting):
    """`{% case_count_shown meeting %}`: the cases reviewed at a meeting (`case_count`), hidden as a
    small count of its region (`indicators.small_counts.record_count_cell`)."""
    return _reader(context).show(record_count_cell(meeting.case_count, region_id=meeting.region_id))


@register.simple_tag(takes_context=True)
def table_body(context, table):
    """`{% table_body table %}`: a dashboard table's rows as this reader sees them."""
    return table.body_html_for(_reader(context))


@register.inclusion_tag("indicators/includes/small_count_legend.html", takes_context=True)
def small_count_legend(context, testid="small-count-legend", css="small text-body-secondary"):
    """The legend under a table with hidden cells (the second line only for readers who see them)."""
    return {"lines": _reader(context).legend_lines, "testid": testid, "css": css}
