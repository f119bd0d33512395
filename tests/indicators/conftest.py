import io

import pytest
from django.core.management import call_command


@pytest.fixture
def sheet(reference_data):
    """Yamaguchi's indicators, plans, targets and R4 sheet values, loaded as `make run` does."""
    call_command("load_sheet", stdout=io.StringIO())
