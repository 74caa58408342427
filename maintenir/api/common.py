"""Helpers shared by the routers: the acting user, tenant-scoped lookups and FilterSet queries, input limits,
and the error answers every operation documents."""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, cast, get_args

import django_filters
from annotated_types import MaxLen
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import BODY_CONTENT_TYPES, OpenAPISchema
from ninja.operation import Operation
from ninja.pagination import LimitOffsetPagination
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, PydanticKnownError

from maintenir.core import keyset
from maintenir.core.choices import Action
from maintenir.core.models import ObjectChange, User
from maintenir.workorders.models import TEXT_MAX_LENGTH

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


def _refuse_time_zone(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise PydanticCustomError("time_zone", _("Give a local time, without a time zone."))
    return value


# A time of day on the site's clock, as "08:00" or "08:00:00": OpenAPI's `time` format would demand an offset.
LocalTime = Annotated[
    datetime.time,
    AfterValidator(_refuse_time_zone),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$", "examples": ["08:00"]}
    ),
]


def _is_text(annotation: Any) -> bool:
    return annotation is str or (str in get_args(annotation) and set(get_args(annotation)) <= {str, type(None)})


def text_limit(model: type[Model], name: str) -> int | None:
    """The longest text the model's field of that name takes: its `max_length`, or TEXT_MAX_LENGTH for free text."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return field.max_length or TEXT_MAX_LENGTH
    return None


JSON_NOT_OBJECT = (list, str, int, float, type(None))


class Input(Schema):
    """The base of every schema read from a request: its values must fit the database, and it must be an object.

    Declared with `model=`, as `class SiteIn(Input, model=Site)`, its text fields take the length limits of the
    model's fields of the same name: a longer text is a 422 naming it, and OpenAPI documents the limit.
    """

    def __init_subclass__(cls, model: type[Model] | None = None, **kwargs: Any) -> None:
        # `model` is used once the fields exist, in __pydantic_init_subclass__.
        super().__init_subclass__(**kwargs)

    @classmethod
    def __pydantic_init_subclass__(cls, model: type[Model] | None = None, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if model is None:
            return
        for name, field in cls.model_fields.items():
            limit = text_limit(model, name)
            if limit and _is_text(field.annotation):
                # A limit the schema states itself may be stricter than the model's, never looser.
                stated = [item for item in field.metadata if isinstance(item, MaxLen)]
                field.metadata[:] = [item for item in field.metadata if not isinstance(item, MaxLen)]
                field.metadata.append(MaxLen(min([limit, *(item.max_length for item in stated)])))
        cls.model_rebuild(force=True)

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, value: Any) -> Any:
        # Ninja's schemas read attributes of any object, so a JSON list or string would pass as all defaults.
        # (Objects other than JSON values pass: an output schema may extend an input one and read a model.)
        if isinstance(value._obj if isinstance(value, DjangoGetter) else value, JSON_NOT_OBJECT):
            raise PydanticKnownError("dict_type")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def storable(cls, value: Any) -> Any:
        return storable(value)


class PageQuery(Input, LimitOffsetPagination.Input):
    """The page asked for (named apart from ninja's "Input", which the OpenAPI document would show)."""

    limit: int = Field(100, ge=1, le=MAX_INTEGER)
    offset: int = Field(0, ge=0, le=MAX_INTEGER, description="Rows to skip; not used with `cursor`.")
    cursor: str | None = Field(
        None,
        max_length=2000,
        description="Where to go on from: the `next` of the previous page. Reads deep pages at the cost of the first.",
    )


class PageOut(Schema):
    items: list[Any]
    count: int = Field(
        description=f"How many rows match, counted no further than {keyset.COUNT_CAP}: "
        f"{keyset.COUNT_CAP + 1} means more than {keyset.COUNT_CAP} (see `count_capped`)."
    )
    count_capped: bool = Field(description=f"Whether more than {keyset.COUNT_CAP} rows match.")
    next: str | None = Field(
        description="The `cursor` that reads the page after this one; null on the last page. Opaque: pass it as is."
    )


class Pagination(LimitOffsetPagination):
    """Limit/offset pagination with a cursor, whose count stops at `keyset.COUNT_CAP` (see `PageOut`).

    A list ordered by plain columns goes on by keyset (the rows after the last one sent, read from the index);
    any other list carries its offset in the cursor.
    """

    Input = PageQuery  # type: ignore[assignment]
    Output = PageOut  # type: ignore[assignment]

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        limit = min(pagination.limit, MAX_INTEGER - 1)
        if not isinstance(queryset, QuerySet):
            rows = list(queryset)
            return self._page(rows[pagination.offset :], limit, min(len(rows), keyset.COUNT_CAP + 1), None)
        count = keyset.capped_count(queryset)
        columns = keyset.keys(queryset)
        offset = pagination.offset
        try:
            if pagination.cursor and columns is not None:
                position = keyset.decode(queryset, columns, pagination.cursor).position
                found = keyset.rows_after(queryset, columns, position, limit + 1)
                return self._page(found, limit, count, columns)
            if pagination.cursor:
                offset = _offset_cursor(pagination.cursor)
        except keyset.InvalidCursor:
            raise NinjaValidationError(
                [{"loc": ["query", "cursor"], "msg": _("Not a cursor of this list."), "type": "value_error"}]
            ) from None
        ordered = keyset.ordered(queryset, columns) if columns is not None else queryset
        found = list(ordered[offset : offset + limit + 1])
        return self._page(found, limit, count, columns, offset)

    def _page(self, found: list[Any], limit: int, count: int, columns: Any, offset: int = 0) -> dict[str, Any]:
        rows = found[:limit]
        following = None
        if len(found) > limit:
            following = (
                keyset.encode(columns, keyset.values(rows[-1], columns), backwards=False)
                if columns is not None
                else signing.dumps({"o": offset + limit}, salt=keyset.SALT)
            )
        return {"items": rows, "count": count, "count_capped": count > keyset.COUNT_CAP, "next": following}


def _offset_cursor(cursor: str) -> int:
    try:
        data = signing.loads(cursor, salt=keyset.SALT)
    except signing.BadSignature as error:
        raise keyset.InvalidCursor(cursor) from error
    if not isinstance(data, dict) or not isinstance(data.get("o"), int) or not 0 <= data["o"] <= MAX_INTEGER:
        raise keyset.InvalidCursor(cursor)
    return int(data["o"])


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
    # The field's constraints (lengths, bounds) are its metadata: kept, they still apply to a value sent.
    fields: dict[str, Any] = {
        name: (_constrained(field), Field(None, description=field.description))
        for name, field in schema.model_fields.items()
        if name in names
    }
    not_nullable = [name for name, (annotation, _field) in fields.items() if not _accepts_none(annotation)]
    validators = {"refuse_null": field_validator(*not_nullable, mode="before")(_refuse_null)} if not_nullable else {}
    return create_model(
        schema.__name__.removesuffix("In") + "Patch", __base__=Input, __validators__=validators, **fields
    )


def _constrained(field: FieldInfo) -> Any:
    return Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation


def _accepts_none(annotation: Any) -> bool:
    return annotation is None or type(None) in get_args(annotation) or annotation is Any


class CsvIn(Input):
    csv: str = Field(description="The file's text, with its header line.")


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


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


# --- What the OpenAPI document says an operation answers ------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='Where: "body", "query" or "path", then the field.')
    msg: str
    type: str


class FieldErrorsOut(Schema):
    detail: list[FieldErrorOut]


# Each error status the API answers: what it means and the body it comes with.
ERRORS: dict[int, tuple[str, type[Schema]]] = {
    400: ("The body is not valid JSON.", ErrorOut),
    401: ("No valid token or session.", ErrorOut),
    403: ("The user may not do this (or, with a session, the CSRF check failed).", ErrorOut),
    404: ("No such object, or none the user may see.", ErrorOut),
    409: ("The object's current state does not allow this.", FieldErrorsOut),
    413: ("The request body is larger than the server accepts.", ErrorOut),
    422: ("A value is invalid; each error names its field.", FieldErrorsOut),
    429: ("Too many requests: retry after the seconds of the Retry-After header.", ErrorOut),
}


def answers(*codes: int) -> Callable[[V], V]:
    """Declare error statuses a view answers beyond those `error_statuses` reads from its operation."""

    def declare(view: V) -> V:
        view.__maintenir_answers__ = codes  # type: ignore[attr-defined]
        return view

    return declare


def error_statuses(operation: Operation) -> list[int]:
    """The error statuses an operation may answer, as its signature shows them, plus those declared.

    Authenticated: 401 and 403 (a role refused, or the CSRF check). An id in the path: 404. Any parameter or body:
    422. A body: 400 and 413. A write on an existing object: 409, as its state may not allow it. Throttled: 429.
    """
    sources = {model.__ninja_param_source__ for model in operation.models}
    has_body = bool(sources & set(BODY_CONTENT_TYPES))
    statuses = set(getattr(operation.view_func, "__maintenir_answers__", ()))
    if operation.auth_callbacks:
        statuses |= {401, 403}
    if "path" in sources:
        statuses.add(404)
        if set(operation.methods) - {"GET", "HEAD", "OPTIONS"}:
            statuses.add(409)
    if sources:
        statuses.add(422)
    if has_body:
        statuses |= {400, 413}
    if operation.throttle_objects:
        statuses.add(429)
    return sorted(statuses)


@dataclass(frozen=True)
class MediaType:
    """The media type of a response that is a file, not JSON: `Annotated[str, MediaType("text/csv")]`."""

    name: str
    binary: bool = False

    def content(self) -> dict[str, Any]:
        return {self.name: {"schema": {"type": "string", **({"format": "binary"} if self.binary else {})}}}


CsvText = Annotated[str, MediaType("text/csv")]
PdfFile = Annotated[bytes, MediaType("application/pdf", binary=True)]


def _media_type(response_model: Any) -> MediaType | None:
    field = getattr(response_model, "model_fields", {}).get("response")
    return next((item for item in getattr(field, "metadata", ()) if isinstance(item, MediaType)), None)


class DocumentedSchema(OpenAPISchema):
    """Ninja's OpenAPI document, with each operation's error answers and files in their own media type."""

    def responses(self, operation: Operation) -> dict[int, Any]:
        result = super().responses(operation)
        for status, response_model in operation.response_models.items():
            media_type = _media_type(response_model)
            if media_type:
                result[status]["content"] = media_type.content()
        for status in error_statuses(operation):
            description, schema = ERRORS[status]
            wrapper = cast(Any, operation._create_response_model(schema))
            content, _required = self._create_schema_from_model(wrapper, mode="serialization")
            result.setdefault(
                status, {"description": description, "content": {"application/json": {"schema": content}}}
            )
        return result
