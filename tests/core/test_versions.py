"""core.versions: a counter per group of tables, raised in the transaction of every write."""

import pytest
from django.db import transaction

from core import versions
from core.models import DataVersion
from regions.models import Prefecture, Region

pytestmark = pytest.mark.django_db

GROUP = "test-regions"


@pytest.fixture
def tracked_regions():
    versions.track(GROUP, Region)
    yield
    versions._tracked[Region].discard(GROUP)


def test_a_group_never_written_is_version_zero_and_bump_counts_up():
    assert versions.current("never-written", GROUP) == (0, 0)
    versions.bump(GROUP)
    versions.bump(GROUP)
    assert versions.current("never-written", GROUP) == (0, 2)


def test_saving_and_deleting_a_tracked_model_raises_its_version(tracked_regions):
    prefecture = Prefecture.objects.create(code="131008", name="東京都")
    region = Region.objects.create(prefecture=prefecture, code="1301", name="区中央部")
    assert versions.current(GROUP) == (1,)
    region.name = "区西部"
    region.save()
    assert versions.current(GROUP) == (2,)
    Region.objects.filter(pk=region.pk).delete()  # QuerySet.delete() sends post_delete as well
    assert versions.current(GROUP) == (3,)


def test_a_rolled_back_write_leaves_the_version_as_it_was(tracked_regions):
    prefecture = Prefecture.objects.create(code="131008", name="東京都")
    with pytest.raises(RuntimeError), transaction.atomic():
        Region.objects.create(prefecture=prefecture, code="1301", name="区中央部")
        assert versions.current(GROUP) == (1,)
        raise RuntimeError
    assert versions.current(GROUP) == (0,)


def test_once_raises_each_version_a_batch_touched_a_single_time(tracked_regions, django_assert_num_queries):
    prefecture = Prefecture.objects.create(code="131008", name="東京都")
    with versions.once():
        for n in range(5):
            Region.objects.create(prefecture=prefecture, code=f"13{n:02d}", name=f"圏域{n}")
        versions.changed(GROUP)  # a bulk write's own call joins the batch too
        assert versions.current(GROUP) == (0,)
    assert versions.current(GROUP) == (1,)
    assert DataVersion.objects.get(name=GROUP).number == 1


def test_a_batch_that_fails_raises_nothing(tracked_regions):
    prefecture = Prefecture.objects.create(code="131008", name="東京都")
    with pytest.raises(ValueError), versions.once():
        Region.objects.create(prefecture=prefecture, code="1301", name="区中央部")
        raise ValueError
    assert versions.current(GROUP) == (0,)
