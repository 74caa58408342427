import factory
from factory.django import DjangoModelFactory

from maintenir.core.choices import Role
from maintenir.core.models import Organisation, User


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Client {n}")
    code = factory.Sequence(lambda n: f"client-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.TECHNICIAN
    password = factory.django.Password("secret-password")
