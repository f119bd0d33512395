"""Factories for training sessions, attendance and the peer-supporter programme.

They build rows directly (fiscal_year derived the same way the services derive it); tests of the
services themselves call the services.
"""

from datetime import date
from decimal import Decimal

import factory

from core.fiscal import fiscal_year_of
from regions.models import Region
from tests.factories import owning_prefecture
from training.models import Course, OrganiserKind, PeerSupportProgramme, TrainingAttendance, TrainingSession


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    course = Course.TRANSITION
    title = factory.Sequence(lambda n: f"地域移行研修 第{n}回")
    start_date = date(2022, 6, 1)
    end_date = factory.LazyAttribute(lambda o: o.start_date)
    hours = Decimal("2.5")
    organiser_kind = OrganiserKind.DISABILITY_SUPPORT
    region = factory.LazyFunction(lambda: Region.objects.get(code="3501"))
    # As training.services sets it: the region's prefecture, or the portal's for a prefecture-wide session.
    prefecture = factory.LazyAttribute(lambda o: owning_prefecture(o.region))
    place = "岩国健康福祉センター 会議室"
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year_of(o.start_date))

    @factory.post_generation
    def attendees(obj, create, extracted, **kwargs):
        """attendees={"hospital_nurse": 3, …} creates the attendance rows."""
        if create and extracted:
            TrainingAttendance.objects.bulk_create(
                TrainingAttendance(session=obj, organisation_type=key, count=value)
                for key, value in extracted.items()
                if value
            )


class PeerSupportProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerSupportProgramme

    region = factory.LazyFunction(lambda: Region.objects.get(code="3501"))
    fiscal_year = 2022
    hospitals_surveyed = 5
    hospitals_wanting = 2
    offices_surveyed = 10
    offices_wanting = 4
    needs_purpose = "退院前の病棟訪問、体験談の紹介"
    trained = 6
    registered = 5
    active = 3
    hospital_visits = 12
    meeting_participations = 4
