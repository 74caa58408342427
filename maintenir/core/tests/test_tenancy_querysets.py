from typing import Any

import pytest

from maintenir.assets.models import Equipment, Site
from maintenir.core.choices import Action


@pytest.mark.django_db
def test_client_sees_only_own_organisation(client_a: Any, site_a: Any, site_b: Any, equipment_a: Any, equipment_b: Any) -> None:
    assert list(Site.objects.restrict(client_a)) == [site_a]
    assert list(Equipment.objects.restrict(client_a)) == [equipment_a]


@pytest.mark.django_db
def test_staff_see_every_client(manager: Any, site_a: Any, site_b: Any) -> None:
    assert set(Site.objects.restrict(manager)) == {site_a, site_b}


@pytest.mark.django_db
def test_role_without_action_gets_nothing(client_a: Any, site_a: Any) -> None:
    assert not Site.objects.restrict(client_a, Action.CHANGE).exists()


@pytest.mark.django_db
def test_anonymous_gets_nothing(site_a: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Site.objects.restrict(AnonymousUser()).exists()
