from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MANAGER = "manager", _("Maintenance manager")
    TECHNICIAN = "technician", _("Technician")
    OPERATOR = "operator", _("Operator")
    CLIENT = "client", _("Client user")


# Staff of the maintenance company work across client organisations.
STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN})
# Roles that belong to one client organisation and only ever see its data.
ORGANISATION_ROLES = frozenset({Role.OPERATOR, Role.CLIENT})
MANAGING_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER})
ALL_ROLES = frozenset(Role)


class Action(models.TextChoices):
    VIEW = "view", _("View")
    ADD = "add", _("Add")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
