from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maintenir.assets.choices import CounterKind
from maintenir.assets.models import (
    Building,
    Counter,
    CounterReading,
    Document,
    Equipment,
    EquipmentType,
    Floor,
    ProductionLine,
    Site,
    Space,
)
from maintenir.core.tests.factories import OrganisationFactory


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"Site {n}")
    city = "Lyon"
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=43, max_value=50)
    longitude = factory.Faker("pydecimal", left_digits=1, right_digits=6, min_value=0, max_value=7)


class ProductionLineFactory(DjangoModelFactory):
    class Meta:
        model = ProductionLine

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"line-{n}")
    name = factory.Sequence(lambda n: f"Line {n}")


class EquipmentTypeFactory(DjangoModelFactory):
    class Meta:
        model = EquipmentType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Equipment type {n}")


class EquipmentFactory(DjangoModelFactory):
    class Meta:
        model = Equipment

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"EQ-{n:04d}")
    name = factory.Sequence(lambda n: f"Equipment {n}")
    equipment_type = factory.SubFactory(EquipmentTypeFactory)
    manufacturer = "Bosch Rexroth"


class CounterFactory(DjangoModelFactory):
    class Meta:
        model = Counter

    equipment = factory.SubFactory(EquipmentFactory)
    kind = CounterKind.RUNNING_HOURS


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Building {n}")


class FloorFactory(DjangoModelFactory):
    class Meta:
        model = Floor

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"Floor {n}")


class SpaceFactory(DjangoModelFactory):
    class Meta:
        model = Space

    floor = factory.SubFactory(FloorFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class CounterReadingFactory(DjangoModelFactory):
    class Meta:
        model = CounterReading

    counter = factory.SubFactory(CounterFactory)
    value = Decimal(100)
    read_at = factory.LazyFunction(timezone.now)


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    site = factory.SubFactory(SiteFactory)
    title = factory.Sequence(lambda n: f"Manual {n}")
    file = factory.django.FileField(filename="manual.pdf", data=b"%PDF-1.4")
