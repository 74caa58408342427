import hashlib
import secrets
from collections.abc import Collection
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maintenir.core.choices import (
    ALL_ROLES,
    CERTIFICATION_ROLES,
    MANAGING_ROLES,
    ORGANISATION_ROLES,
    SELF_ROLES,
    STAFF_ROLES,
    Action,
    ChangeAction,
    Role,
)
from maintenir.core.formats import quantity
from maintenir.core.querysets import RestrictedManager, RestrictedQuerySet


def coordinate_field(label: Any, limit: int) -> models.DecimalField:
    """A latitude (limit 90) or longitude (limit 180) in degrees, to the micro-degree (about 10 cm)."""
    return models.DecimalField(
        label,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
    )


class RestrictedModel(models.Model):
    """Base of every domain model: timestamps, tenant scoping and the change log."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    # Lookup from this model to its client organisation's id; None = shared catalogue.
    tenant_path: ClassVar[str | None] = None
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: MANAGING_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }
    # Lookup from this model to the user it is about; roles in `self_roles` see only their own rows.
    owner_path: ClassVar[str | None] = None
    self_roles: ClassVar[frozenset[str]] = SELF_ROLES
    # Foreign key (or dotted path of them) whose page also lists this object's changes (e.g. "work_order").
    changelog_parent: ClassVar[str | None] = None
    # Fields left out of change-log snapshots.
    changelog_exclude: ClassVar[frozenset[str]] = frozenset({"created", "last_updated"})

    objects = RestrictedManager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._changelog_snapshot = instance.changelog_data()
        return instance

    def refresh_from_db(self, using: str | None = None, fields: Any = None, from_queryset: Any = None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # The reloaded values (including a deferred field loaded on access) are the new "before".
        fresh = self.changelog_data()
        if fields is not None:
            names = set(fields)
            refreshed = {f.attname for f in self._meta.concrete_fields if f.name in names or f.attname in names}
            fresh = {**getattr(self, "_changelog_snapshot", {}), **{k: v for k, v in fresh.items() if k in refreshed}}
        self._changelog_snapshot = fresh

    def changelog_data(self) -> dict[str, Any]:
        """The object's field values as JSON-ready data, for before/after comparison."""
        data: dict[str, Any] = {}
        # Once per object, not per field: every object a page loads goes through here.
        deferred = self.get_deferred_fields()
        for model_field in self._meta.concrete_fields:
            if model_field.name in self.changelog_exclude or model_field.attname in deferred:
                continue
            value = model_field.value_from_object(self)
            if isinstance(model_field, models.FileField):
                value = value.name if value else ""
            data[model_field.attname] = value
        return json_ready(data)


class NamedInTwoLanguages(models.Model):
    """Reference data (loaded by a migration, extended by managers) named in English and in French.

    The one rule for such rows: `name` is the English name, `name_fr` its French form, and pages, PDFs
    and exports show `label`, the form of the active language (the English one when no French is given).
    """

    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        if self.name_fr and (get_language() or "").startswith("fr"):
            return self.name_fr
        return self.name


JSON_ENCODER = DjangoJSONEncoder()
_JSON_NATIVE = (str, int, float, bool, list, dict, type(None))


def json_ready(data: dict[str, Any]) -> dict[str, Any]:
    """The values as JSON types; dates, decimals and UUIDs as DjangoJSONEncoder writes them."""
    return {
        key: value if isinstance(value, _JSON_NATIVE) else JSON_ENCODER.default(value) for key, value in data.items()
    }


class Organisation(RestrictedModel):
    """A client organisation (tenant): the owner of sites and equipment."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    address = models.TextField(_("address"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    tenant_path = "pk"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: frozenset({Role.ADMINISTRATOR}),
        Action.CHANGE: frozenset({Role.ADMINISTRATOR}),
        Action.DELETE: frozenset({Role.ADMINISTRATOR}),
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("client organisation")
        verbose_name_plural = _("client organisations")

    def __str__(self) -> str:
        return self.name


class RestrictedUserManager(UserManager["User"]):
    def get_queryset(self) -> RestrictedQuerySet:
        return RestrictedQuerySet(self.model, using=self._db)

    def restrict(self, user: Any, action: str = Action.VIEW) -> RestrictedQuerySet:
        return self.get_queryset().restrict(user, action)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("client organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Set for client users and operators; they see only this organisation."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    tenant_path: ClassVar[str | None] = "organisation"
    owner_path: ClassVar[str | None] = "pk"
    self_roles: ClassVar[frozenset[str]] = SELF_ROLES
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN}),
        Action.ADD: frozenset({Role.ADMINISTRATOR}),
        Action.CHANGE: frozenset({Role.ADMINISTRATOR}),
        Action.DELETE: frozenset({Role.ADMINISTRATOR}),
    }

    objects = RestrictedUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in ORGANISATION_ROLES and self.organisation_id is None:
            raise ValidationError({"organisation": _("Client users and operators must belong to an organisation.")})

    @property
    def is_manager(self) -> bool:
        return self.is_superuser or self.role in MANAGING_ROLES

    @property
    def is_company_staff(self) -> bool:
        """The maintenance company's own people, who see its planning and its technicians."""
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def works_on_certification_only(self) -> bool:
        """The training centre's staff and candidates: no maintenance page is for them."""
        return not self.is_superuser and self.role in CERTIFICATION_ROLES


class ApiToken(models.Model):
    """A bearer token for the REST API; only its digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return secrets.token_urlsafe(32)


class ObjectChange(models.Model):
    """One create, update or delete of a domain object: who, when, what, in which request."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+")
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    changed_object = GenericForeignKey("object_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    related_object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    prechange_data = models.JSONField(_("before"), null=True, encoder=DjangoJSONEncoder)
    postchange_data = models.JSONField(_("after"), null=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["related_object_type", "related_object_id"]),
        ]
        verbose_name = _("change")
        verbose_name_plural = _("change log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field whose value differs."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        return [
            (key, before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]

    def readable_diff(self) -> list[tuple[str, Any, Any]]:
        """The diff as people read it: field labels, choice labels, related objects by name."""
        model = self.object_type.model_class()
        fields: dict[str, Any] = {}
        if model is not None:
            fields = {field.attname: field for field in model._meta.concrete_fields}
            fields.update({field.name: field for field in model._meta.many_to_many})
        rows = []
        for key, before, after in self.diff():
            field = fields.get(key)
            if field is None:
                rows.append((key, before, after))
                continue
            rows.append((str(field.verbose_name), _display(field, before), _display(field, after)))
        return rows


def _display(field: Any, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.FileField):
        # The file's name, not where the storage put it (documents/2026/12/…).
        return PurePosixPath(value).name
    if isinstance(field, models.DecimalField):
        return quantity(Decimal(value)) if isinstance(value, str) else value
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return date_format(day, "SHORT_DATE_FORMAT") if day else value
    if field.is_relation and field.many_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    return value
