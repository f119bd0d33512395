from django.contrib.staticfiles import finders


def test_vendor_files_are_found_in_their_packages():
    assert finders.find("vendor/plotly/plotly.min.js").endswith("plotly/package_data/plotly.min.js")
    assert finders.find("vendor/bootstrap/css/bootstrap.min.css").endswith("bootstrap.min.css")


def test_a_missing_file_is_none_not_a_list_of_none():
    assert finders.find("vendor/nothing-here.js") is None
    assert finders.find("vendor/nothing-here.js", find_all=True) == []


def test_only_the_named_files_are_exposed():
    assert finders.find("vendor/plotly/widgetbundle.js") is None


def test_every_file_a_vendored_file_names_is_exposed_too():
    """The manifest storage (DEBUG=0) fails collectstatic on a reference it cannot find: the source
    maps Bootstrap's minified files name were missing (tests/test_production.py collects for real)."""
    import re
    from pathlib import PurePosixPath

    from core.staticfinders import VENDOR_FILES

    named = []
    for name in VENDOR_FILES:
        if name.endswith((".css", ".js")):
            path = finders.find(name)
            with open(path, encoding="utf-8") as handle:
                for reference in re.findall(r"sourceMappingURL=(\S+?)(?:\s|\*/|$)", handle.read()):
                    named.append(str(PurePosixPath(name).parent / reference))
    assert "vendor/bootstrap/css/bootstrap.min.css.map" in named
    assert "vendor/bootstrap/js/bootstrap.bundle.min.js.map" in named
    for reference in named:
        assert finders.find(reference) is not None, reference
