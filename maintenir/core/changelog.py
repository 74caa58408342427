"""Writes a change-log row for every create, update and delete of a domain object."""

import operator
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from maintenir.core import bulk
from maintenir.core.choices import ChangeAction
from maintenir.core.context import current
from maintenir.core.models import JSON_ENCODER, ObjectChange, RestrictedModel


def record_change(
    instance: RestrictedModel,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ObjectChange:
    context = current()
    user = context.user() if context else None
    parent = operator.attrgetter(instance.changelog_parent)(instance) if instance.changelog_parent else None
    return ObjectChange.objects.create(
        related_object_type=ContentType.objects.get_for_model(parent) if parent is not None else None,
        related_object_id=parent.pk if parent is not None else None,
        user=user,
        user_name=user.get_username() if user else "",
        request_id=context.request_id if context else None,
        action=action,
        object_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


def record_created_rows(model: type[RestrictedModel], records: Sequence[dict[str, Any]]) -> None:
    """Change-log rows for records written with `core.bulk.insert`, which sends no signals.

    `records` are complete (every field attname, "id" included), as `bulk.insert` leaves them.
    """
    context = current()
    user = context.user() if context else None
    object_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    parent_type, parent_key = None, None
    if model.changelog_parent:
        parent_field = model._meta.get_field(model.changelog_parent)
        parent_type = ContentType.objects.get_for_model(parent_field.related_model)  # type: ignore[arg-type]
        parent_key = parent_field.attname  # type: ignore[union-attr]
    names = [field.attname for field in model._meta.concrete_fields if field.name not in model.changelog_exclude]
    # Only these fields hold values that are not JSON types already.
    encoded = [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname in names
        and isinstance(field, models.DateField | models.DecimalField | models.UUIDField | models.TimeField)
    ]

    values = operator.itemgetter(*names)

    def snapshot(record: dict[str, Any]) -> dict[str, Any]:
        data = dict(zip(names, values(record), strict=True))
        for name in encoded:
            if data[name] is not None:
                data[name] = JSON_ENCODER.default(data[name])
        return data

    bulk.insert(
        ObjectChange,
        [
            {
                "related_object_type_id": parent_type.pk if parent_type else None,
                "related_object_id": record[parent_key] if parent_key else None,
                "user_id": user.pk if user else None,
                "user_name": user.get_username() if user else "",
                "request_id": context.request_id if context else None,
                "action": ChangeAction.CREATE,
                "object_type_id": object_type.pk,
                "object_id": record["id"],
                "object_repr": str(_bare_instance(model, record))[:200],
                "prechange_data": None,
                "postchange_data": snapshot(record),
            }
            for record in records
        ],
    )


def _bare_instance(model: type[RestrictedModel], record: dict[str, Any]) -> RestrictedModel:
    """An instance carrying the record's values, enough for `__str__`, without the cost of `__init__`."""
    instance = model.__new__(model)
    instance.__dict__.update(record)
    return instance


def changes_for(instance: models.Model) -> "models.QuerySet[ObjectChange]":
    """The changes of an object and of the objects listed on its page, newest first."""
    object_type = ContentType.objects.get_for_model(instance)
    return ObjectChange.objects.filter(
        models.Q(object_type=object_type, object_id=instance.pk)
        | models.Q(related_object_type=object_type, related_object_id=instance.pk)
    ).select_related("object_type")


def _on_save(sender: type[models.Model], instance: RestrictedModel, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    after = instance.changelog_data()
    before = None if created else getattr(instance, "_changelog_snapshot", None)
    if before == after:
        return
    record_change(instance, ChangeAction.CREATE if created else ChangeAction.UPDATE, before, after)
    instance._changelog_snapshot = after


def _on_delete(sender: type[models.Model], instance: RestrictedModel, **kwargs: Any) -> None:
    record_change(instance, ChangeAction.DELETE, instance.changelog_data(), None)


def _m2m_values(instance: Any, through: type[models.Model]) -> tuple[str, list[str]]:
    """The name of the many-to-many field using `through`, and its current values as text."""
    field = next(f for f in instance._meta.many_to_many if f.remote_field.through is through)
    return field.name, sorted(str(obj) for obj in getattr(instance, field.name).all())


def _on_m2m_pre(sender: type[models.Model], instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if reverse or action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    # Read from the database each time: another copy of the object may have changed the relation since.
    name, values = _m2m_values(instance, sender)
    instance._m2m_snapshot = {**getattr(instance, "_m2m_snapshot", {}), name: values}


def _on_m2m_changed(sender: type[models.Model], instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if reverse or action not in {"post_add", "post_remove", "post_clear"}:
        return
    name, values = _m2m_values(instance, sender)
    before = instance._m2m_snapshot[name]
    if before != values:
        record_change(instance, ChangeAction.UPDATE, {name: before}, {name: values})


def logged_models() -> list[type[RestrictedModel]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, RestrictedModel) and getattr(model, "changelog_enabled", True)
    ]


def connect_signals() -> None:
    for model in logged_models():
        post_save.connect(_on_save, sender=model, dispatch_uid=f"changelog-save-{model._meta.label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"changelog-delete-{model._meta.label}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            assert through is not None  # Django fills it in when the models are ready
            m2m_changed.connect(_on_m2m_pre, sender=through, dispatch_uid=f"changelog-m2m-pre-{through._meta.label}")
            m2m_changed.connect(_on_m2m_changed, sender=through, dispatch_uid=f"changelog-m2m-{through._meta.label}")
