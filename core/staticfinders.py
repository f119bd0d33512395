"""Serve third-party browser assets from their installed Python packages.

Bootstrap comes from XStatic-Bootstrap and plotly.js from the plotly package; nothing is
copied into the repository, and only the files named here are exposed (not whole packages).
"""

from pathlib import Path

import plotly
import xstatic.pkg.bootstrap
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

_BOOTSTRAP = Path(xstatic.pkg.bootstrap.BASE_DIR)
_PLOTLY = Path(plotly.__file__).parent / "package_data"

# The source maps are here because the minified files name them (`sourceMappingURL`) and the
# manifest storage (DEBUG=0) rewrites every such reference to a hashed name: a reference it cannot
# find fails collectstatic. plotly.min.js names none. tests/test_production.py collects for real.
VENDOR_FILES = {
    "vendor/bootstrap/css/bootstrap.min.css": _BOOTSTRAP / "css" / "bootstrap.min.css",
    "vendor/bootstrap/css/bootstrap.min.css.map": _BOOTSTRAP / "css" / "bootstrap.min.css.map",
    "vendor/bootstrap/js/bootstrap.bundle.min.js": _BOOTSTRAP / "js" / "bootstrap.bundle.min.js",
    "vendor/bootstrap/js/bootstrap.bundle.min.js.map": _BOOTSTRAP / "js" / "bootstrap.bundle.min.js.map",
    "vendor/plotly/plotly.min.js": _PLOTLY / "plotly.min.js",
}


class _SingleFileStorage(FileSystemStorage):
    """A storage whose only file is `name`, so collectstatic copies it under that name."""

    def __init__(self, name: str, source: Path):
        super().__init__(location=str(source.parent))
        self.prefix = str(Path(name).parent)


class VendorFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        source = VENDOR_FILES.get(path)
        if source is None or not source.exists():
            return []  # as Django's own finders answer: finders.find() then falls through to None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for name, source in VENDOR_FILES.items():
            if source.exists():
                storage = _SingleFileStorage(name, source)
                yield source.name, storage
