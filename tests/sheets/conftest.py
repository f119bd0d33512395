import io

import pytest
from django.core.management import call_command

from sheets.models import Edition


@pytest.fixture
def loaded(reference_data):
    """The whole R4 sheet of Yamaguchi, loaded from the repo's data files as `make run` does."""
    call_command("load_sheet", stdout=io.StringIO())
    return Edition.objects.get(fiscal_year=2022)
