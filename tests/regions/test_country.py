"""The country as reference data: 全国 and the 47 prefectures ship beside Yamaguchi's detail."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from regions.models import Prefecture, prefecture_short_name
from regions.services import COUNTRY_FILE, LoadReport, _country_rows, country_load
from regions.validators import NATION_CODE, is_valid_lg_code, validate_prefecture_code

pytestmark = pytest.mark.django_db


def test_the_47_prefectures_and_the_nation_are_loaded(reference_data):
    country = list(Prefecture.objects.country())
    assert len(country) == 47
    assert all(is_valid_lg_code(p.code) and p.code[2:5] == "000" for p in country)
    assert [p.code[:2] for p in country] == [f"{n:02d}" for n in range(1, 48)]
    assert country[0].name == "北海道" and country[-1].name == "沖縄県"
    nation = Prefecture.objects.nation()
    assert (nation.code, nation.name, nation.is_nation) == (NATION_CODE, "全国", True)
    assert Prefecture.objects.portal().name == "山口県"


def test_every_prefecture_has_its_own_square_on_the_tile_map(reference_data):
    squares = list(Prefecture.objects.country().values_list("tile_row", "tile_column"))
    assert None not in {cell for square in squares for cell in square}
    assert len(set(squares)) == 47
    hokkaido = Prefecture.objects.get(code="010006")
    okinawa = Prefecture.objects.get(code="470007")
    # 北海道 in the north-east corner, 沖縄 in the south-west.
    assert hokkaido.tile_row < okinawa.tile_row and hokkaido.tile_column > okinawa.tile_column


def test_loading_again_changes_nothing_in_one_query(reference_data, django_assert_num_queries):
    report = LoadReport()
    with django_assert_num_queries(1):
        country_load(report=report)
    assert (report.created, report.updated) == ({}, {})
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "変更なし" in out.getvalue()


def test_a_renamed_or_moved_prefecture_is_corrected(reference_data):
    Prefecture.objects.filter(code="130001").update(name="第13県", tile_row=None, tile_column=None)
    report = LoadReport()
    country_load(report=report)
    tokyo = Prefecture.objects.get(code="130001")
    assert (tokyo.name, tokyo.tile_row is not None) == ("東京都", True)
    assert report.updated == {"prefecture": 1}


def test_a_broken_country_file_is_refused_whole(tmp_path):
    data = json.loads(COUNTRY_FILE.read_text(encoding="utf-8"))
    data["prefectures"][1]["tile"] = data["prefectures"][0]["tile"]
    data["prefectures"][2]["code"] = "030008"  # wrong check digit
    with pytest.raises(ValidationError) as caught:
        _country_rows(data)
    text = " ".join(caught.value.messages)
    assert "タイル地図の位置が重複" in text and "030008" in text


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("山口県", "山口"),
        ("東京都", "東京"),
        ("大阪府", "大阪"),
        ("京都府", "京都"),
        ("北海道", "北海道"),
        ("山口", "山口"),
    ],
)
def test_short_names(name, short):
    assert prefecture_short_name(name) == short


@pytest.mark.parametrize("code", ["000000", "350001", "130001"])
def test_prefecture_codes_accepted(code):
    validate_prefecture_code(code)


@pytest.mark.parametrize("code", ["352012", "350002", "00000", "abcdef"])
def test_prefecture_codes_refused(code):
    with pytest.raises(ValidationError):
        validate_prefecture_code(code)


def test_there_is_only_one_nation(reference_data):
    with pytest.raises(IntegrityError), transaction.atomic():
        Prefecture.objects.create(code="990000", name="もう一つの全国", kind=Prefecture.Kind.NATION)
