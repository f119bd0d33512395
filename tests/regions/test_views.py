import pytest


@pytest.mark.django_db
def test_region_list_shows_every_region_with_its_municipality_count(
    client_for, viewer, django_assert_num_queries
):
    client = client_for(viewer)
    with django_assert_num_queries(8):
        response = client.get("/regions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('href="/regions/35') == 8
    assert "柳井圏域" in html
    rows = {r.name: r.municipality_count for r in response.context["regions"]}
    assert rows["柳井"] == 5
    assert rows["下関"] == 1
    assert sum(rows.values()) == 19


@pytest.mark.django_db
def test_region_detail_lists_its_municipalities_and_centres(client_for, iwakuni_staff):
    response = client_for(iwakuni_staff).get("/regions/3504/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "山口・防府圏域" in html
    assert "352039" in html and "防府市" in html
    assert "山口健康福祉センター防府支所" in html
    assert "岩国市" not in html


@pytest.mark.django_db
def test_unknown_region_is_404(client_for, viewer):
    assert client_for(viewer).get("/regions/9999/").status_code == 404
