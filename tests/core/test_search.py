"""core.search: what a search term matches, the same on both databases, and the index it uses."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from core import search
from meetings import services as meeting_services
from meetings.models import Meeting
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _meeting(title, agenda="", **kwargs):
    """A prefecture-wide meeting (needs no reference data)."""
    return MeetingFactory(
        title=title,
        agenda=agenda,
        region=None,
        organiser_centre=None,
        organiser_division="disability_support",
        **kwargs,
    )


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the gram index exists on PostgreSQL only"
)


def test_normalise_unifies_width_case_and_spaces():
    assert search.normalise("ｸﾞﾙｰﾌﾟﾎｰﾑ　ＰＳＷ  Peer\t") == "グループホーム psw peer"
    assert search.normalise(None) == ""


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    once = search.normalise(text)
    assert search.normalise(once) == once


def test_search_text_keeps_each_field_on_its_own_line():
    assert search.search_text("岩国 調整会議", "", "住まいの確保\n退院") == "岩国 調整会議\n住まいの確保 退院"


def test_query_terms_split_on_any_space_and_drop_repeats():
    assert search.query_terms(" 退院　支援 退院 ") == ["退院", "支援"]
    assert search.query_terms("　") == []


def test_query_grams_are_the_pairs_of_a_term_or_its_one_character():
    assert search.query_grams("グループ") == ["グル", "ルー", "ープ"]
    assert search.query_grams("萩") == ["萩"]


def _found(query):
    return set(Meeting.objects.search(query).values_list("pk", flat=True))


def test_every_term_must_occur_in_the_title_or_the_agenda():
    housing = _meeting("岩国 調整会議", "住まいの確保と退院支援")
    peer = _meeting("ピアサポーター養成研修の企画", "退院後の生活")
    other = _meeting("萩 調整会議", "", place="退院支援室")  # place is not searched

    assert _found("") == {housing.pk, peer.pk, other.pk}
    assert _found("退院") == {housing.pk, peer.pk}
    assert _found("退院　支援") == {housing.pk}  # 全角スペース: both terms
    assert _found("調整会議 萩") == {other.pk}
    assert _found("支援 ピア") == set()
    assert _found("萩") == {other.pk}  # one character
    assert _found("ﾋﾟｱ") == {peer.pk}  # 半角カナ finds 全角
    assert _found("確保退院") == set()  # not a substring, although each pair occurs somewhere


def test_like_wildcards_in_a_term_are_literal():
    percent = _meeting("受診率100%の達成", "")
    _meeting("受診率1000の達成", "")
    underscore = _meeting("様式_A", "")
    _meeting("様式BA", "")
    assert _found("100%") == {percent.pk}
    assert _found("式_") == {underscore.pk}


def test_an_edit_through_the_service_is_searched_by_its_new_title(official):
    meeting = _meeting("旧い会議名", "")
    meeting_services.meeting_update(
        by=official,
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        fields={"title": "新しい会議名"},
        agenda=[
            meeting_services.ChildChange(
                pk=None, fields={"position": 1, "title": "住まい", "notes": "ｸﾞﾙｰﾌﾟﾎｰﾑ", "indicator": None}
            )
        ],
    )
    assert _found("新しい") == {meeting.pk}
    assert _found("旧い") == set()
    assert _found("グループホーム") == {meeting.pk}  # an agenda item's notes are searched too
    assert _found("住まい") == {meeting.pk}


# Any text, and any piece of it (after normalising) as the term: the meeting is found. On
# PostgreSQL this checks that portal_search_grams() in SQL and query_grams() in Python agree,
# including characters outside the BMP, combining marks and white space inside the text.
texts = st.text(
    alphabet=st.sampled_from("あいうアイウ退院支援萩ｸﾞﾙｰﾌﾟＡＢabc1２%_ 　\n\t🏥é\u0301ǰİß"),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(text=texts, data=st.data())
def test_any_piece_of_the_normalised_text_finds_the_meeting(text, data):
    meeting = _meeting(text, "")
    normalised = search.normalise(text)
    if not normalised:
        return
    start = data.draw(st.integers(0, len(normalised) - 1))
    end = data.draw(st.integers(start + 1, len(normalised)))
    term = normalised[start:end].strip()
    if not term or " " in term:
        return
    assert meeting.pk in _found(term)


@postgresql_only
def test_the_sql_grams_contain_the_python_grams_of_every_piece():
    text = search.search_text("ｸﾞﾙｰﾌﾟﾎｰﾑ 入居者の退院支援🏥", "ＰＳＷ と相談")
    with connection.cursor() as cursor:
        cursor.execute("SELECT portal_search_grams(%s)", [text])
        grams = set(cursor.fetchone()[0])
    for line in text.split("\n"):
        for word in line.split(" "):
            for i in range(len(word)):
                for j in range(i + 1, len(word) + 1):
                    assert set(search.query_grams(word[i:j])) <= grams


@postgresql_only
def test_postgresql_answers_a_search_from_the_gram_index():
    for n in range(30):
        _meeting(f"圏域連絡調整会議 第{n}回", "地域移行の進捗について")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # 30 rows: make the index the only way in
        plan = Meeting.objects.search("グループホーム").order_by().explain()
    # The condition search_filter() writes is the index's expression, so the index can answer it.
    assert "Bitmap Index Scan on meeting_search_grams" in plan


def test_the_rarest_gram_is_asked_for_and_one_without_statistics_is_rarest():
    frequencies = {"グル": 0.17, "ルー": 0.18, "ープ": 0.17}
    assert search.rarest_gram(["グル", "ルー", "ープ"], frequencies) == "グル"
    assert search.rarest_gram(["グル", "ルー", "プ会"], frequencies) == "プ会"


@postgresql_only
def test_a_common_term_is_searched_newest_first_and_a_rare_one_through_the_index():
    for n in range(60):
        _meeting(f"グループホーム連絡会 第{n}回", "住まいの確保")
    _meeting("萩 調整会議", "")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_meeting")
    search.forget_statistics()
    frequencies = search.gram_frequencies("default", "meeting_search_grams")
    assert frequencies["ホー"] > 0.9  # read from ANALYZE's statistics of the index

    def asks_index(query):
        return "portal_search_grams" in str(Meeting.objects.search(query).query)

    assert not asks_index("グループホーム")  # every pair is common: no index condition at all
    assert asks_index("萩")
    assert asks_index("ホーム会議")  # ム会 is rare although ホー and 会議 are not
    assert {m.title for m in Meeting.objects.search("萩 調整")} == {"萩 調整会議"}
    assert Meeting.objects.search("グループホーム 第59回").count() == 1
