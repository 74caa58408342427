from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MANAGER = "manager", _("Maintenance manager")
    TECHNICIAN = "technician", _("Technician")
    OPERATOR = "operator", _("Operator")
    CLIENT = "client", _("Client user")
    TRAINING_STAFF = "training_staff", _("Training-centre staff")
    CANDIDATE = "candidate", _("Certification candidate")


# Staff of the maintenance company work across client organisations.
STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN})
# Roles that belong to one client organisation and only ever see its data.
ORGANISATION_ROLES = frozenset({Role.OPERATOR, Role.CLIENT})
MANAGING_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER})
# The training centre's roles work on certification records only, never on maintenance data.
CERTIFICATION_ROLES = frozenset({Role.TRAINING_STAFF, Role.CANDIDATE})
# Every role of the maintenance side: what maintenance data may at most be opened to.
ALL_ROLES = frozenset(Role) - CERTIFICATION_ROLES
# Roles that only ever see records about themselves (a model's `owner_path` leads to the user).
SELF_ROLES = frozenset({Role.CANDIDATE})


class Action(models.TextChoices):
    VIEW = "view", _("View")
    ADD = "add", _("Add")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
