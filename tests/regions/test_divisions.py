"""The prefecture's divisions (障害者支援課 / 健康増進課) are named once, in regions; meetings and
training store the same values and put the prefecture in front as reads best on their pages."""

from meetings.models import Meeting
from regions.models import PrefectureDivision
from training.models import OrganiserKind


def test_meetings_offer_the_divisions_under_the_prefectures_name():
    assert Meeting._meta.get_field("organiser_division").choices == [
        ("disability_support", "山口県 障害者支援課"),
        ("health_promotion", "山口県 健康増進課"),
    ]


def test_training_organisers_include_the_divisions_with_the_same_stored_values():
    divisions = {value: label for value, label in OrganiserKind.choices if value in PrefectureDivision.values}
    assert divisions == {"disability_support": "県 障害者支援課", "health_promotion": "県 健康増進課"}
    assert OrganiserKind.DISABILITY_SUPPORT == PrefectureDivision.DISABILITY_SUPPORT


def test_a_division_is_named_in_one_place():
    assert PrefectureDivision.choices_for("県") == [
        ("disability_support", "県 障害者支援課"),
        ("health_promotion", "県 健康増進課"),
    ]
