from typing import TYPE_CHECKING, Any, Self

from django.db import models

from maintenir.core.choices import ORGANISATION_ROLES, Action

if TYPE_CHECKING:
    from maintenir.core.models import User


class RestrictedQuerySet(models.QuerySet[Any]):
    """A queryset that knows who may see which rows (NetBox's `restrict` idea).

    Each model says which roles may take each action (`role_permissions`) and where
    its client organisation is (`tenant_path`). Users attached to an organisation
    only ever get that organisation's rows; the maintenance company's own staff get
    every client's rows. Roles in a model's `self_roles` get only the rows about
    themselves (`owner_path` leads to their user), none where it has no owner.
    """

    def restrict(self, user: "User | Any", action: str = Action.VIEW) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        model = self.model
        if user.role not in model.role_permissions.get(action, frozenset()):
            return self.none()
        if user.role in model.self_roles:
            owner_path = model.owner_path
            return self.none() if owner_path is None else self.filter(**{owner_path: user.pk})
        if user.organisation_id is None:
            # A client user or operator must belong to an organisation; without one, fail closed.
            return self.none() if user.role in ORGANISATION_ROLES else self
        tenant_path = model.tenant_path
        if tenant_path is None:
            # Shared catalogues (equipment types, coded lists) belong to no client.
            return self
        return self.filter(**{tenant_path: user.organisation_id})


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
