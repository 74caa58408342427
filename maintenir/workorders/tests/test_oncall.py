"""On-call routing and escalation, with a frozen clock: urgent requests outside working time go to the
technician on call, then to the next one, then to the managers."""

import datetime
import zoneinfo
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from maintenir.core.services import TransitionError
from maintenir.core.workdays import is_working_time
from maintenir.people.tests.factories import OnCallDutyFactory, TeamFactory, TechnicianFactory
from maintenir.workorders import oncall, services
from maintenir.workorders.choices import Priority
from maintenir.workorders.models import OnCallCall
from maintenir.workorders.tasks import escalate_on_call

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Tuesday: the roster week starts on Monday 23 November 2026.
EVENING = datetime.datetime(2026, 11, 24, 21, 30, tzinfo=PARIS)
MORNING = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
WEEK = datetime.date(2026, 11, 23)


class Clock:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def advance(self, minutes: float) -> None:
        self.now += datetime.timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """`timezone.now()` frozen at EVENING until the test sets or advances it."""
    frozen = Clock(EVENING)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def roster(db: None) -> list[Any]:
    """The week's roster of one team: two technicians, ranks 1 and 2."""
    team = TeamFactory(name="Astreinte Lyon")
    return [
        OnCallDutyFactory(
            team=team,
            week_start=WEEK,
            rank=rank,
            technician=TechnicianFactory(team=team, user__username=name, user__email=f"{name}@example.com"),
        )
        for rank, name in ((1, "first"), (2, "second"))
    ]


@pytest.fixture
def managers(manager: Any) -> list[str]:
    manager.email = "manager@example.com"
    manager.save()
    return [manager.email]


Commit = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def urgent(operator_a: Any, site_a: Any, equipment_a: Any, django_capture_on_commit_callbacks: Commit) -> Any:
    """Submit an urgent request now, running what is scheduled on commit (the e-mails)."""

    def submit(urgency: int = Priority.URGENT) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.submit_work_request(operator_a, site_a, "Press stopped, oil leak", equipment_a, urgency)

    return submit


@pytest.fixture
def escalate(django_capture_on_commit_callbacks: Commit) -> Callable[[], int]:
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return int(escalate_on_call.apply().get()["escalated"])

    return run


def calls() -> list[tuple[int, str]]:
    return [(call.rank, call.technician.user.username) for call in OnCallCall.objects.order_by("called_at", "pk")]


def test_working_time_is_working_hours_on_working_days(settings: Any) -> None:
    assert is_working_time(MORNING)
    assert not is_working_time(EVENING)
    assert not is_working_time(datetime.datetime(2026, 11, 28, 10, 0, tzinfo=PARIS))  # Saturday
    assert not is_working_time(datetime.datetime(2026, 12, 25, 10, 0, tzinfo=PARIS))  # Christmas, a Friday
    assert not is_working_time(MORNING.replace(hour=17))
    settings.MAINTENIR_WORKING_HOURS = "07:30-18:00"
    assert is_working_time(MORNING.replace(hour=17))


def test_inside_working_hours_nobody_is_called(clock: Clock, roster: Any, urgent: Any, mailoutbox: list) -> None:
    clock.now = MORNING
    urgent()
    assert calls() == []
    assert mailoutbox == []


def test_outside_working_hours_rank_1_is_called_and_emailed(
    clock: Clock, roster: Any, urgent: Any, mailoutbox: list
) -> None:
    request = urgent()
    assert calls() == [(1, "first")]
    assert OnCallCall.objects.get().called_at == EVENING
    [mail] = mailoutbox
    assert mail.to == ["first@example.com"]
    assert request.reference in mail.subject
    assert "Press stopped, oil leak" in mail.body


def test_a_request_that_is_not_urgent_waits_for_the_morning(
    clock: Clock, roster: Any, urgent: Any, mailoutbox: list
) -> None:
    urgent(Priority.HIGH)
    assert calls() == []
    assert mailoutbox == []


def test_a_request_raised_by_maintenir_is_routed_too(clock: Clock, roster: Any, equipment_a: Any) -> None:
    services.raise_work_request(equipment_a, "The PLC does not answer any more.", Priority.URGENT)
    assert calls() == [(1, "first")]


def test_not_acknowledged_in_time_the_next_rank_is_called(
    clock: Clock, roster: Any, urgent: Any, escalate: Callable[[], int], mailoutbox: list
) -> None:
    urgent()
    clock.advance(14)
    assert escalate() == 0
    clock.advance(1)
    assert escalate() == 1
    assert calls() == [(1, "first"), (2, "second")]
    assert OnCallCall.objects.get(rank=1).escalated_at == clock.now
    assert [mail.to for mail in mailoutbox] == [["first@example.com"], ["second@example.com"]]


def test_the_delay_is_configurable(clock: Clock, roster: Any, urgent: Any, escalate: Any, settings: Any) -> None:
    settings.MAINTENIR_ON_CALL_ACK_MINUTES = 5
    urgent()
    clock.advance(5)
    assert escalate() == 1


def test_acknowledged_it_is_not_escalated(
    clock: Clock, roster: Any, urgent: Any, escalate: Callable[[], int], mailoutbox: list
) -> None:
    urgent()
    clock.advance(3)
    call = OnCallCall.objects.get()
    acknowledged = oncall.acknowledge_call(roster[0].technician.user, call)
    assert acknowledged.acknowledged_at == clock.now
    clock.advance(60)
    assert escalate() == 0
    assert calls() == [(1, "first")]
    assert len(mailoutbox) == 1
    assert not oncall.calls_to_acknowledge(roster[0].technician.user).exists()


def test_a_late_acknowledgement_stops_the_escalation(
    clock: Clock, roster: Any, urgent: Any, escalate: Callable[[], int]
) -> None:
    urgent()
    clock.advance(15)
    escalate()
    oncall.acknowledge_call(roster[0].technician.user, OnCallCall.objects.get(rank=1))
    assert not oncall.calls_to_acknowledge(roster[1].technician.user).exists()
    clock.advance(15)
    assert escalate() == 0


def test_roster_exhausted_the_managers_are_emailed(
    clock: Clock, roster: Any, managers: list[str], urgent: Any, escalate: Callable[[], int], mailoutbox: list
) -> None:
    request = urgent()
    clock.advance(15)
    escalate()
    clock.advance(15)
    assert escalate() == 1
    assert calls() == [(1, "first"), (2, "second")]
    assert OnCallCall.objects.get(rank=2).managers_alerted
    assert mailoutbox[-1].to == managers
    assert request.reference in mailoutbox[-1].subject
    clock.advance(60)
    assert escalate() == 0
    assert len(mailoutbox) == 3


def test_the_task_run_twice_escalates_once(
    clock: Clock, roster: Any, urgent: Any, escalate: Callable[[], int], mailoutbox: list
) -> None:
    urgent()
    clock.advance(20)
    assert escalate() == 1
    assert escalate() == 0
    assert calls() == [(1, "first"), (2, "second")]
    assert len(mailoutbox) == 2


def test_a_call_claimed_by_another_worker_is_left_alone(
    clock: Clock, roster: Any, urgent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers read the same overdue call; the one that loses the compare-and-swap calls nobody."""
    urgent()
    clock.advance(20)
    stale = list(oncall.waiting_calls())
    OnCallCall.objects.update(escalated_at=clock.now)
    monkeypatch.setattr(oncall, "waiting_calls", lambda: OnCallCall.objects.filter(pk__in=[c.pk for c in stale]))
    assert oncall.escalate_overdue_calls() == 0
    assert calls() == [(1, "first")]


def test_a_decided_request_is_not_escalated(
    clock: Clock, roster: Any, urgent: Any, manager: Any, escalate: Callable[[], int]
) -> None:
    request = urgent()
    services.reject_work_request(manager, request, "Duplicate of DI-000001")
    clock.advance(30)
    assert escalate() == 0


def test_no_roster_this_week_the_managers_are_emailed(
    clock: Clock, managers: list[str], urgent: Any, mailoutbox: list
) -> None:
    urgent()
    assert calls() == []
    [mail] = mailoutbox
    assert mail.to == managers


def test_the_on_call_team_setting_chooses_the_roster(clock: Clock, roster: Any, urgent: Any, settings: Any) -> None:
    other = TeamFactory(name="Astreinte Grenoble")
    OnCallDutyFactory(team=other, week_start=WEEK, technician=TechnicianFactory(team=other, user__username="gre"))
    settings.MAINTENIR_ON_CALL_TEAM = "Astreinte Grenoble"
    urgent()
    assert calls() == [(1, "gre")]


def test_only_the_technician_called_acknowledges(
    clock: Clock, roster: Any, urgent: Any, manager: Any, client_a: Any
) -> None:
    urgent()
    call = OnCallCall.objects.get()
    for user in (roster[1].technician.user, manager, client_a):
        with pytest.raises(PermissionDenied):
            oncall.acknowledge_call(user, call)
    oncall.acknowledge_call(roster[0].technician.user, call)
    with pytest.raises(TransitionError):
        oncall.acknowledge_call(roster[0].technician.user, call)
