"""Helpers shared by the routers: the acting user, tenant-scoped lookups and FilterSet queries."""

import datetime
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar, cast, get_args

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, ValidationInfo, create_model, field_validator
from pydantic_core import PydanticCustomError

from maintenir.core.choices import Action
from maintenir.core.models import ObjectChange, User

M = TypeVar("M", bound=Model)
V = TypeVar("V")

# The largest integer a database column holds (a signed 64-bit integer); a larger one would be a 500.
MAX_INTEGER = 2**63 - 1
# Code points no database stores: a lone UTF-16 surrogate cannot be encoded, NUL ends a C string.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: V) -> V:
    """A validated value, refused (422) when it holds an integer past 64 bits or a NUL or lone surrogate in text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -MAX_INTEGER - 1 <= value <= MAX_INTEGER:
        raise PydanticCustomError("too_large", _("Ensure this value is at most %(max)s.") % {"max": MAX_INTEGER})
    if isinstance(value, str) and UNSTORABLE.search(value):
        raise PydanticCustomError("unstorable_character", _("Null characters and lone surrogates are not allowed."))
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            storable(item)
    if isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable(item)
    return value


# For query parameters declared one by one rather than through an `Input` schema.
Integer = Annotated[int, AfterValidator(storable)]
Text = Annotated[str, AfterValidator(storable)]


class Input(Schema):
    """The base of every schema read from a request: its values must fit the database."""

    @field_validator("*", mode="after")
    @classmethod
    def storable(cls, value: Any) -> Any:
        return storable(value)


class Pagination(LimitOffsetPagination):
    """Limit/offset pagination whose numbers fit the database (ninja's own `limit` has no maximum)."""

    class Input(Input):
        limit: int = Field(100, ge=1, le=MAX_INTEGER)
        offset: int = Field(0, ge=0, le=MAX_INTEGER)


def acting_user(request: HttpRequest) -> User:
    """The authenticated user; both authentication methods set `request.user`."""
    return cast(User, request.user)


def restricted(model: type[M], request: HttpRequest, action: str = Action.VIEW) -> QuerySet[M]:
    return model._default_manager.restrict(acting_user(request), action)  # type: ignore[attr-defined]


def get_visible(queryset: QuerySet[M], pk: int) -> M:
    """One object of an already restricted queryset; another client's object is simply not found."""
    return get_object_or_404(queryset, pk=pk)


def _not_found(model: type[Model], field: str, value: Any) -> ValidationError:
    return ValidationError(
        {field: _("No %(object)s %(value)s.") % {"object": model._meta.verbose_name, "value": value}}
    )


def resolve(model: type[M], request: HttpRequest, pk: int | None, field: str) -> M | None:
    """The object a payload's foreign key names, if the user may see it; else a 422 on that field."""
    if pk is None:
        return None
    found = restricted(model, request).filter(pk=pk).first()
    if found is None:
        raise _not_found(model, field, pk)
    return found


def named(model: type[M], request: HttpRequest, pk: int, field: str) -> M:
    """The object a payload's required foreign key names, if the user may see it; else a 422 on that field."""
    return cast(M, resolve(model, request, pk, field))


def resolve_many(model: type[M], request: HttpRequest, pks: Iterable[int], field: str) -> list[M]:
    wanted = list(dict.fromkeys(pks))
    found = restricted(model, request).in_bulk(wanted)
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise _not_found(model, field, ", ".join(map(str, missing)))
    return [found[pk] for pk in wanted]


def resolve_coded(model: type[M], request: HttpRequest, key: int | str | None, field: str) -> M | None:
    """A coded-list entry named by its id or by its code."""
    if key is None:
        return None
    lookup = {"pk": key} if isinstance(key, int) else {"code": key}
    found = restricted(model, request).filter(**lookup).first()
    if found is None:
        raise _not_found(model, field, key)
    return found


def apply_changes(
    request: HttpRequest, instance: M, changes: dict[str, Any], foreign_keys: dict[str, type[Model]]
) -> M:
    """Set a payload's values on an unsaved instance, turning foreign-key ids into visible objects."""
    for name, value in changes.items():
        model = foreign_keys.get(name)
        setattr(instance, name, resolve(model, request, value, name) if model else value)
    return instance


def _refuse_null(value: Any, info: ValidationInfo) -> Any:
    if value is None:
        raise PydanticCustomError("null", _("This field may not be null."))
    return value


def partial_schema(schema: type[Schema], only: Iterable[str] | None = None) -> type[Schema]:
    """The PATCH variant of a create schema: every field (or those named) optional, only the ones sent are applied.

    A field that cannot be empty in the create schema cannot be set to null either: omitting it keeps its value.
    """
    names = set(schema.model_fields if only is None else only)
    fields: dict[str, Any] = {
        name: (cast(Any, field.annotation), Field(None, description=field.description))
        for name, field in schema.model_fields.items()
        if name in names
    }
    not_nullable = [name for name, (annotation, _field) in fields.items() if not _accepts_none(annotation)]
    validators = {"refuse_null": field_validator(*not_nullable, mode="before")(_refuse_null)} if not_nullable else {}
    return create_model(
        schema.__name__.removesuffix("In") + "Patch", __base__=Input, __validators__=validators, **fields
    )


def _accepts_none(annotation: Any) -> bool:
    return annotation is None or type(None) in get_args(annotation) or annotation is Any


class ChangeOut(Schema):
    """One change-log row of an object or of the objects listed on its page."""

    id: int
    time: datetime.datetime
    user: int | None = Field(None, alias="user_id")
    user_name: str
    action: str
    action_display: str = Field(alias="get_action_display")
    object_type: str
    object_id: int
    object_repr: str
    before: dict[str, Any] | None = Field(None, alias="prechange_data")
    after: dict[str, Any] | None = Field(None, alias="postchange_data")

    @staticmethod
    def resolve_object_type(change: ObjectChange) -> str:
        return f"{change.object_type.app_label}.{change.object_type.model}"


# --- Filtering through the shared FilterSets ------------------------------------------------


def _query_type(filter_: django_filters.Filter) -> Any:
    """The Python type of one filter's query parameter, so OpenAPI documents it."""
    choices = filter_.extra.get("choices")
    values = tuple(str(value) for value, _label in choices) if isinstance(choices, list | tuple) else ()
    if isinstance(filter_, django_filters.ModelMultipleChoiceFilter):
        return list[int]
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        return int
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        return list[Literal[values]] if values else list[str]  # type: ignore[valid-type]
    if isinstance(filter_, django_filters.ChoiceFilter) and values:
        return Literal[values]
    if isinstance(filter_, django_filters.BooleanFilter):
        return bool
    if isinstance(filter_, django_filters.DateFilter):
        return datetime.date
    return str


def filter_schema(filterset_class: type[django_filters.FilterSet]) -> type[Schema]:
    """A schema of optional query parameters, one per filter of the FilterSet."""
    fields: dict[str, Any] = {
        name: (_query_type(filter_) | None, Field(None, description=str(filter_.label or name)))
        for name, filter_ in filterset_class.base_filters.items()
    }
    name = filterset_class.__name__.removesuffix("FilterSet") + "Filters"
    return create_model(name, __base__=Input, **fields)


def filtered(
    filterset_class: type[django_filters.FilterSet], request: HttpRequest, queryset: QuerySet[M], filters: Schema
) -> QuerySet[M]:
    """Apply the FilterSet to an already restricted queryset; an invalid value is a 422 naming the filter."""
    filterset = filterset_class(data=filters.model_dump(exclude_none=True), queryset=queryset, request=request)
    if not filterset.is_valid():
        raise NinjaValidationError(
            [
                {"loc": ["query", name], "msg": message, "type": "value_error"}
                for name, messages in filterset.errors.items()
                for message in messages
            ]
        )
    return cast(QuerySet[M], filterset.qs)
