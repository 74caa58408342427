from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from maintenir.core.models import ApiToken
from maintenir.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_admin_page_renders_for_a_superuser(model: Any) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    opts = model._meta
    request = RequestFactory().get("/")
    request.user = superuser
    # Some records are only ever written by the application (the failed logins), never added by hand.
    addable = admin.site._registry[model].has_add_permission(request)
    for view in ("changelist", "add") if addable else ("changelist",):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
        assert response.status_code == 200, (opts.label, view)


def test_staff_pages_are_closed_to_other_users(manager: Any) -> None:
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("admin:workorders_failuremode_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_tokens_added_in_the_admin_are_usable_and_shown_once(manager: Any) -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    keys = []
    for description in ("supervision", "tableau de bord"):
        response = client.post(
            reverse("admin:core_apitoken_add"), {"user": manager.pk, "description": description}, follow=True
        )
        assert response.status_code == 200
        [message] = [str(message) for message in response.context["messages"] if "only this once" in str(message)]
        keys.append(message.rsplit(": ", 1)[1])
    assert len(set(keys)) == 2
    assert all(token.digest and token.prefix for token in ApiToken.objects.all())
    for key in keys:
        assert not ApiToken.objects.filter(digest=key).exists()
        assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/sites").status_code == 200
