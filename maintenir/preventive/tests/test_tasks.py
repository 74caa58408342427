import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from maintenir.celery import app
from maintenir.core.periodic import run_due_tasks
from maintenir.preventive.tasks import generate_due_work_orders
from maintenir.preventive.tests.factories import GammeStepFactory, TriggerFactory
from maintenir.workorders.models import WorkOrder

REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def due_trigger(equipment_a: Any) -> Any:
    gamme = GammeStepFactory().version.gamme
    return TriggerFactory(
        plan__site=equipment_a.site, equipment=equipment_a, gamme=gamme, start_date=timezone.localdate()
    )


@pytest.fixture
def redis_app() -> Iterator[Celery]:
    """A Celery app like Maintenir's, with the Redis of the machine (database 15) as broker and result store."""
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    url = "redis://127.0.0.1:6379/15"
    redis_app = Celery("maintenir-redis", set_as_current=False)
    redis_app.config_from_object("django.conf:settings", namespace="CELERY")
    redis_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    yield redis_app
    redis_app.close()


# The worker thread has its own database connection, so the data must be committed; the serialized
# rollback puts back the seeded rows (coded lists, content types) for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generator_runs_as_a_celery_task_through_redis(redis_app: Celery, due_trigger: Any) -> None:
    task = redis_app.tasks[generate_due_work_orders.name]
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert task.delay().get(timeout=30)["created"] == 1
    assert WorkOrder.objects.count() == 1


def test_every_periodic_task_is_registered() -> None:
    # What a worker does as it starts: the apps' tasks modules are discovered.
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_without_a_broker_the_server_runs_the_schedule_itself(due_trigger: Any, settings: Any) -> None:
    settings.CELERY_BEAT_SCHEDULE = {"generate": {"task": generate_due_work_orders.name, "schedule": 3600}}
    last_run: dict[str, float] = {}
    run_due_tasks(last_run, now=10_000.0)
    assert WorkOrder.objects.count() == 1
    # Not due again within the hour: nothing runs; the generator is idempotent anyway.
    run_due_tasks(last_run, now=10_000.0 + 3599)
    assert last_run == {"generate": 10_000.0}


def test_with_a_broker_the_schedule_is_left_to_celery_beat(settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    with pytest.raises(CommandError, match="worker --beat"):
        call_command("periodic")
