import io
import json

import pytest
from django.core.management import CommandError, call_command

from regions.models import HealthCentre, Municipality, Prefecture, Region
from regions.services import DATA_DIR
from regions.validators import check_digit, is_valid_lg_code

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def test_it_loads_yamaguchis_regions_municipalities_and_centres():
    load()
    assert Prefecture.objects.portal().name == "山口県"
    assert Prefecture.objects.filter(regions__isnull=False).distinct().get().code == "350001"
    assert Region.objects.count() == 8
    assert Municipality.objects.count() == 19
    assert HealthCentre.objects.count() == 9
    assert list(Region.objects.values_list("name", flat=True)) == [
        "岩国",
        "柳井",
        "周南",
        "山口・防府",
        "宇部・小野田",
        "下関",
        "長門",
        "萩",
    ]


def test_every_code_carries_a_valid_check_digit():
    load()
    codes = [Prefecture.objects.portal().code, *Municipality.objects.values_list("code", flat=True)]
    assert all(is_valid_lg_code(code) for code in codes)
    assert Municipality.objects.get(name="山口市").code == "352039"
    assert Municipality.objects.get(name="阿武町").code == "355020"


@pytest.mark.parametrize(("five", "digit"), [("35201", 2), ("35203", 9), ("13000", 1), ("01000", 6)])
def test_check_digit_against_known_codes(five, digit):
    assert check_digit(five) == digit


def test_a_wrong_check_digit_is_invalid():
    assert not is_valid_lg_code("352013")
    assert not is_valid_lg_code("35201")
    assert not is_valid_lg_code("35201a")


def test_municipalities_sit_in_their_regions():
    load()
    assert set(Region.objects.get(name="柳井").municipalities.values_list("name", flat=True)) == {
        "柳井市",
        "周防大島町",
        "上関町",
        "田布施町",
        "平生町",
    }
    assert Municipality.objects.get(name="和木町").region.name == "岩国"


def test_two_centres_share_the_yamaguchi_hofu_region():
    load()
    region = Region.objects.get(name="山口・防府")
    assert set(region.health_centres.values_list("code", flat=True)) == {"yamaguchi", "hofu"}
    assert HealthCentre.objects.get(code="shimonoseki").operator == "下関市"


def test_running_it_twice_changes_nothing():
    first = load()
    assert "圏域 8 件" in first
    before = list(Municipality.objects.values_list("pk", "code", "region_id", "name"))
    second = load()
    assert "変更なし" in second
    assert list(Municipality.objects.values_list("pk", "code", "region_id", "name")) == before


def test_a_rerun_restores_an_edited_name_and_reports_it():
    load()
    Municipality.objects.filter(code="352039").update(name="誤記")
    assert "市町村 1 件" in load()
    assert Municipality.objects.get(code="352039").name == "山口市"


def test_a_file_with_a_bad_code_is_refused_and_changes_nothing(tmp_path):
    data = json.loads((DATA_DIR / "yamaguchi.json").read_text(encoding="utf-8"))
    data["municipalities"][0]["code"] = "352013"
    data["regions"][5]["municipalities"] = ["352013"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="検査数字"):
        call_command("load_reference_data", file=str(bad), stdout=io.StringIO())
    assert Municipality.objects.count() == 0


def test_region_choices_are_the_full_names_in_the_given_order(reference_data, django_assert_num_queries):
    regions = Region.objects.order_by("display_order", "code")
    with django_assert_num_queries(1):
        choices = regions.choices()
    assert choices == [(str(r.pk), r.full_name) for r in regions]
    assert choices[0][1] == "岩国圏域"
