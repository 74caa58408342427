import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.workorders.choices import Priority, WorkOrderStatus, WorkRequestStatus
from maintenir.workorders.tests.factories import WorkOrderFactory, WorkRequestFactory

pytestmark = pytest.mark.django_db


def test_home_requires_login() -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_and_logout(manager: Any) -> None:
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert 'name="username"' in page
    assert 'name="password"' in page
    response = client.post(reverse("login"), {"username": "manager", "password": "secret-password"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_bad_password_is_refused() -> None:
    response = Client().post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


class TestManagerHome:
    def test_backlog_overdue_and_equipment_down(self, manager: Any, equipment_a: Any, equipment_b: Any) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        late = WorkOrderFactory(equipment=equipment_a, priority=Priority.URGENT, due_date=yesterday, title="Fuite CTA")
        WorkOrderFactory(equipment=equipment_b, priority=Priority.URGENT, title="Presse bloquée")
        WorkOrderFactory(
            equipment=equipment_b, priority=Priority.URGENT, status=WorkOrderStatus.CLOSED, due_date=yesterday
        )
        EquipmentFactory(site=equipment_b.site, code="CONV-02", status=EquipmentStatus.DOWN)
        response = client_for(manager).get(reverse("home"))
        backlog = dict(response.context["backlog"])
        assert backlog[Priority.URGENT] == 2
        assert backlog[Priority.LOW] == 0
        assert list(response.context["overdue"]) == [late]
        page = response.content.decode()
        assert "Fuite CTA" in page
        assert "CONV-02" in page
        assert f"{reverse('workorder-list')}?is_open=true&amp;priority=1" in page

    def test_requests_awaiting_approval_oldest_first(self, manager: Any, equipment_a: Any, equipment_b: Any) -> None:
        waiting = [WorkRequestFactory(equipment=equipment_a, symptom=f"Bruit {n}") for n in range(7)]
        WorkRequestFactory(equipment=equipment_b, status=WorkRequestStatus.APPROVED, symptom="Déjà décidée")
        response = client_for(manager).get(reverse("home"))
        assert response.context["awaiting_count"] == 7
        assert list(response.context["awaiting"]) == waiting[:5]
        section = response.content.decode().split('id="awaiting-approval"')[1].split("</section>")[0]
        assert f'href="{waiting[0].get_absolute_url()}"' in section
        assert waiting[6].reference not in section
        assert "Déjà décidée" not in section
        assert f"{reverse('workrequest-list')}?status=submitted" in section

    def test_orders_without_a_planned_start_are_to_schedule(
        self, manager: Any, technician: Any, equipment_a: Any
    ) -> None:
        today = timezone.localdate()
        planned_no_time = WorkOrderFactory(
            equipment=equipment_a, status=WorkOrderStatus.PLANNED, due_date=today, assignees=[technician]
        )
        approved = WorkOrderFactory(equipment=equipment_a, due_date=today + datetime.timedelta(days=2))
        WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED, planned_start=timezone.now())
        response = client_for(manager).get(reverse("home"))
        assert response.context["to_schedule_count"] == 2
        assert list(response.context["to_schedule"]) == [planned_no_time, approved]
        section = response.content.decode().split('id="to-schedule"')[1].split("</section>")[0]
        assert planned_no_time.reference in section

    def test_nav_links_and_admin_for_staff(self, administrator: Any) -> None:
        administrator.is_staff = True
        administrator.save()
        page = client_for(administrator).get(reverse("home")).content.decode()
        for name in ("home", "site-list", "equipment-list", "workrequest-list", "workorder-list", "workrequest-add"):
            assert f'href="{reverse(name)}"' in page
        assert reverse("admin:index") in page
        assert f'action="{reverse("logout")}"' in page

    def test_no_admin_link_for_others(self, technician: Any) -> None:
        assert reverse("admin:index") not in client_for(technician).get(reverse("home")).content.decode()


class TestTechnicianHome:
    def test_my_work_today(self, technician: Any, other_technician: Any, equipment_a: Any) -> None:
        today = timezone.localdate()
        in_progress = WorkOrderFactory(
            equipment=equipment_a, status=WorkOrderStatus.IN_PROGRESS, priority=Priority.NORMAL
        )
        urgent_due = WorkOrderFactory(equipment=equipment_a, priority=Priority.URGENT, due_date=today)
        planned = WorkOrderFactory(
            equipment=equipment_a, status=WorkOrderStatus.PLANNED, priority=Priority.LOW, planned_start=timezone.now()
        )
        later = WorkOrderFactory(equipment=equipment_a, due_date=today + datetime.timedelta(days=7))
        done = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.DONE, due_date=today)
        someone_else = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.IN_PROGRESS)
        for order in (in_progress, urgent_due, planned, later, done):
            order.assignees.add(technician)
        someone_else.assignees.add(other_technician)
        client = client_for(technician)
        response = client.get(reverse("home"))
        # Timed work first, in the order of the day, then by priority.
        assert list(response.context["orders"]) == [planned, urgent_due, in_progress]
        assert in_progress.title in response.content.decode()
        # The home lists what "My day" lists, and leads to it.
        assert client.get(reverse("planning-my-day")).context["orders"] == response.context["orders"]
        assert f'id="open-my-day" href="{reverse("planning-my-day")}"' in response.content.decode()

    def test_a_planned_order_without_a_time_shows_on_its_due_day(self, technician: Any, equipment_a: Any) -> None:
        today = timezone.localdate()
        due_today = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED, due_date=today)
        due_later = WorkOrderFactory(
            equipment=equipment_a, status=WorkOrderStatus.PLANNED, due_date=today + datetime.timedelta(days=3)
        )
        undated = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED)
        for order in (due_today, due_later, undated):
            order.assignees.add(technician)
        client = client_for(technician)
        home = client.get(reverse("home"))
        assert set(home.context["orders"]) == {due_today, undated}
        assert "Due this day, no time set" in home.content.decode()
        later = client.get(reverse("planning-my-day"), {"day": due_later.due_date.isoformat()})
        assert later.context["orders"] == [due_later]


class TestClientHome:
    def test_client_sees_its_sites_and_requests_only(
        self, client_a: Any, operator_a: Any, equipment_a: Any, equipment_b: Any
    ) -> None:
        mine = WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, symptom="Bruit anormal ventilateur")
        WorkRequestFactory(equipment=equipment_b, symptom="Fuite huile presse")
        page = client_for(client_a).get(reverse("home")).content.decode()
        assert "Bruit anormal ventilateur" in page
        assert mine.reference in page
        assert "Fuite huile presse" not in page
        assert equipment_a.site.name in page
        assert equipment_b.site.name not in page
        assert 'class="btn btn-primary btn-big"' in page
        assert reverse("workrequest-add") in page

    def test_operator_gets_the_client_home(self, operator_a: Any, site_a: Any) -> None:
        response = client_for(operator_a).get(reverse("home"))
        assert next(template.name for template in response.templates) == "ui/home_client.html"
        assert site_a.name in response.content.decode()


class TestLanguage:
    def test_accept_language_french(self, manager: Any) -> None:
        page = client_for(manager, HTTP_ACCEPT_LANGUAGE="fr").get(reverse("home")).content.decode()
        assert '<html lang="fr">' in page

    def test_accept_language_english(self, manager: Any) -> None:
        page = client_for(manager, HTTP_ACCEPT_LANGUAGE="en").get(reverse("home")).content.decode()
        assert '<html lang="en">' in page

    def test_set_language_switches_to_french(self, manager: Any) -> None:
        client = client_for(manager, HTTP_ACCEPT_LANGUAGE="en")
        response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("site-list")})
        assert response.status_code == 302
        assert response["Location"] == reverse("site-list")
        page = client.get(reverse("site-list")).content.decode()
        assert '<html lang="fr">' in page
        assert 'value="fr" lang="fr" title="français" aria-pressed="true"' in page


def test_static_files_are_served_locally(manager: Any) -> None:
    page = client_for(manager).get(reverse("home")).content.decode()
    assert "https://" not in page
    assert "http://" not in page
    for path in ("/static/ui/vendor/htmx.min.js", "/static/ui/maintenir.css", "/static/ui/maintenir.js"):
        assert Client().get(path).status_code == 200
