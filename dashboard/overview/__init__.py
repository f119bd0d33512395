"""The dashboard's read model, one module per section (see build.py); `dashboard_overview` is the
cached entry point the views call."""

from dashboard.overview.build import Overview, UnknownRegion
from dashboard.overview.cache import dashboard_overview

__all__ = ["Overview", "UnknownRegion", "dashboard_overview"]
