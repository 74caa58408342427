"""Who sees which certification records: the training centre all, a candidate or technician their own, clients none."""

from typing import Any

import pytest
from django.apps import apps

from maintenir.certification.models import RecordModel, ReferentialModel
from maintenir.certification.tests.factories import certification_records
from maintenir.core.choices import Action

RECORDS = [model for model in apps.get_app_config("certification").get_models() if issubclass(model, RecordModel)]
REFERENTIAL = [
    model for model in apps.get_app_config("certification").get_models() if issubclass(model, ReferentialModel)
]


@pytest.fixture
def records(technician: Any, candidate_user: Any) -> None:
    for holder in (technician, candidate_user, None):
        certification_records(holder)


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_people_see_only_the_records_about_themselves(
    model: Any, records: None, technician: Any, candidate_user: Any, training_staff: Any, manager: Any
) -> None:
    everything = set(model.objects.all())
    assert set(model.objects.restrict(training_staff)) == everything
    assert set(model.objects.restrict(manager)) == everything
    for person in (technician, candidate_user):
        visible = set(model.objects.restrict(person))
        assert visible < everything
        if model.owner_path is not None:
            assert visible, "a person sees the records about them"
        assert (
            visible == set(model.objects.filter(**{model.owner_path: person.pk})) if model.owner_path else not visible
        )


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_clients_and_operators_see_no_record(model: Any, records: None, client_a: Any, operator_a: Any) -> None:
    assert not model.objects.restrict(client_a).exists()
    assert not model.objects.restrict(operator_a).exists()


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_only_the_training_centre_changes_certification_records(
    model: Any, records: None, training_staff: Any, manager: Any, technician: Any, candidate_user: Any
) -> None:
    assert model.objects.restrict(training_staff, Action.CHANGE).exists()
    for person in (manager, technician, candidate_user):
        assert not model.objects.restrict(person, Action.CHANGE).exists()


@pytest.mark.parametrize("model", REFERENTIAL, ids=lambda model: model.__name__)
def test_only_administrators_change_the_referential(
    model: Any, records: None, administrator: Any, training_staff: Any, manager: Any, technician: Any
) -> None:
    assert model.objects.restrict(administrator, Action.CHANGE).exists()
    for person in (training_staff, manager, technician):
        assert not model.objects.restrict(person, Action.CHANGE).exists()


@pytest.mark.parametrize("model", REFERENTIAL, ids=lambda model: model.__name__)
def test_everyone_reads_the_referential(model: Any, records: None, candidate_user: Any, client_a: Any) -> None:
    assert model.objects.restrict(candidate_user).count() == model.objects.count()
    assert model.objects.restrict(client_a).count() == model.objects.count()


def test_candidates_see_no_maintenance_data(tenant_world: None, candidate_user: Any, training_staff: Any) -> None:
    for model in apps.get_models():
        if model._meta.app_label in {"assets", "workorders", "devices", "preventive", "core"} and hasattr(
            model.objects, "restrict"
        ):
            assert not model.objects.restrict(candidate_user).exists(), model
            assert not model.objects.restrict(training_staff).exists(), model
