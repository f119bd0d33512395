from django.contrib.staticfiles import finders


def test_vendor_files_are_found_in_their_packages():
    assert finders.find("vendor/plotly/plotly.min.js").endswith("plotly/package_data/plotly.min.js")
    assert finders.find("vendor/bootstrap/css/bootstrap.min.css").endswith("bootstrap.min.css")


def test_a_missing_file_is_none_not_a_list_of_none():
    assert finders.find("vendor/nothing-here.js") is None
    assert finders.find("vendor/nothing-here.js", find_all=True) == []


def test_only_the_named_files_are_exposed():
    assert finders.find("vendor/plotly/widgetbundle.js") is None
