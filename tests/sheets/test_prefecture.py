"""The sheet pages show the portal's own prefecture's editions only (as every indicators view does)."""

import pytest

from regions.models import Prefecture
from sheets.models import Edition, PublishedEdition

pytestmark = pytest.mark.django_db


@pytest.fixture
def hokkaido(reference_data):
    # Its code sorts before Yamaguchi's (350001): a lookup by fiscal year alone would find it first.
    return Prefecture.objects.get(code="010006")  # shipped with the 47 prefectures


def test_another_prefectures_edition_of_the_same_year_is_not_shown(loaded, hokkaido, viewer, client_for):
    Edition.objects.create(prefecture=hokkaido, fiscal_year=2022, title="北海道のシート")
    client = client_for(viewer)

    page = client.get("/sheets/2022/").content.decode()
    assert "北海道のシート" not in page
    assert loaded.title in page
    assert "北海道のシート" not in client.get("/sheets/").content.decode()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/sheets/2030/"),
        ("get", "/sheets/2030.pdf"),
        ("get", "/sheets/2030/editions/1.pdf"),
        ("get", "/sheets/2030/regions/3501.pdf"),
        ("get", "/sheets/2030/edit/header/"),
        ("get", "/sheets/2030/edit/part1/"),
        ("get", "/sheets/2030/edit/part3/"),
        ("post", "/sheets/2030/publish/"),
        ("post", "/sheets/2030/copy/"),
    ],
)
def test_a_year_only_another_prefecture_has_is_404(loaded, hokkaido, official, client_for, method, url):
    other = Edition.objects.create(prefecture=hokkaido, fiscal_year=2030, title="北海道のシート")
    client = client_for(official)

    data = {"note": "公開", "fiscal_year": 2031} if method == "post" else None
    response = getattr(client, method)(url, data)

    assert response.status_code == 404
    assert not PublishedEdition.objects.exists()
    assert list(Edition.objects.filter(prefecture=hokkaido).values_list("pk", flat=True)) == [other.pk]
