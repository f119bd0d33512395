"""core.listing.query_without_page and core.exports.export_response."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from core.exports import export_response
from core.listing import query_without_page


def test_query_without_page_keeps_the_filters_only():
    request = RequestFactory().get("/meetings/", {"fiscal_year": "2022", "page": "3", "q": "岩国"})
    assert query_without_page(request) == "fiscal_year=2022&q=%E5%B2%A9%E5%9B%BD"
    assert query_without_page(RequestFactory().get("/meetings/", {"page": "2"})) == ""


def test_export_response_picks_the_format_from_its_name():
    csv = export_response("csv", "一覧", ["名前"], [["=1+1"]], sheet_title="一覧")
    assert csv["Content-Type"].startswith("text/csv")
    assert "%E4%B8%80%E8%A6%A7.csv" in csv["Content-Disposition"]
    assert b"".join(csv.streaming_content).decode("utf-8-sig").splitlines() == ["名前", "'=1+1"]
    xlsx = export_response("xlsx", "一覧", ["名前"], [["x"]], sheet_title="一覧")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E4%B8%80%E8%A6%A7.xlsx" in xlsx["Content-Disposition"]
    with pytest.raises(Http404):
        export_response("pdf", "一覧", ["名前"], [], sheet_title="一覧")
