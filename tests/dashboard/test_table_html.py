"""The dashboard's data tables render their rows in one pass (bench/CHANGES.md), with the same markup."""

from django.template.loader import render_to_string

from dashboard.table import Table


def test_rows_have_a_row_header_blanks_as_dashes_and_escaped_text():
    table = Table("t", "表", ["時点", "値", "目標"], [["R3年", 3496, ""], ["<b>R4年</b>", 48.6, 0]])
    html = str(table.body_html)
    assert html.splitlines() == [
        '<tr><th scope="row" class="fw-normal">R3年</th><td class="text-end">3496</td>'
        '<td class="text-end"><span class="text-body-secondary">－</span></td></tr>',
        '<tr><th scope="row" class="fw-normal">&lt;b&gt;R4年&lt;/b&gt;</th><td class="text-end">48.6</td>'
        '<td class="text-end">0</td></tr>',
    ]


def test_an_empty_table_says_so_across_every_column():
    page = render_to_string(
        "dashboard/includes/data_table.html", {"table": Table("t", "表", ["a", "b", "c"])}
    )
    assert '<tr><td colspan="3">データがありません。</td></tr>' in page
