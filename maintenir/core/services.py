import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import ApiToken, Organisation, User


def clean_row(instance: models.Model, prefix: str, row: int, exclude: list[str]) -> None:
    """`full_clean` of one row of a list written at once; its errors are keyed `prefix.row.field`,
    so the page or the API can name the row."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(
            {f"{prefix}.{row}.{name}": messages for name, messages in error.message_dict.items()}
        ) from error


class TransitionError(ValidationError):
    """A state transition refused because of the object's state or content (not the user's rights)."""


def check_permission(user: User | Any, action: str, obj: models.Model) -> None:
    """Raise PermissionDenied unless `user` may take `action` on this very object."""
    manager = type(obj)._default_manager
    if not manager.restrict(user, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied(
            _("You may not %(action)s this %(object)s.")
            % {"action": Action(action).label.lower(), "object": obj._meta.verbose_name}
        )


def check_model_permission(user: User | Any, action: str, model: type[models.Model]) -> None:
    """Raise PermissionDenied unless the user's role may take `action` on this kind of object."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Authentication required."))
    if user.is_superuser:
        return
    if user.role not in model.role_permissions.get(action, frozenset()):  # type: ignore[attr-defined]
        raise PermissionDenied(
            _("Your role may not %(action)s a %(object)s.")
            % {"action": Action(action).label.lower(), "object": model._meta.verbose_name}
        )


@transaction.atomic
def create_user(
    username: str,
    password: str,
    role: str,
    organisation: Organisation | None = None,
    **fields: Any,
) -> User:
    user = User(username=username, role=role, organisation=organisation, **fields)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def issue_token(user: User, description: str = "") -> str:
    """Create an API token for `user` and return its key, which is shown only once."""
    return save_new_token(ApiToken(user=user, description=description))


def save_new_token(token: ApiToken) -> str:
    """Give an unsaved token (user and description filled in) a fresh key, save it and return the key."""
    key = ApiToken.new_key()
    token.prefix, token.digest = key[:8], ApiToken.digest_of(key)
    token.save()
    return key


TOKEN_USE_PRECISION = datetime.timedelta(minutes=1)


def user_for_token(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key), user__is_active=True).first()
    if token is None:
        return None
    now = timezone.now()
    # To the minute: a token used by many clients at once would otherwise have every request write its row.
    if token.last_used is None or now - token.last_used >= TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


@transaction.atomic
def save_restricted(user: User | Any, instance: models.Model, **many_to_many: Any) -> models.Model:
    """Validate and save `instance` as `user`, in one transaction.

    The permission is checked on the object as it was (for a change) and on the
    object as saved, so nobody can create or move an object into an organisation
    they cannot see. `many_to_many` values are set after the save.
    """
    creating = instance._state.adding
    if not creating:
        check_permission(user, Action.CHANGE, instance)
    else:
        check_model_permission(user, Action.ADD, type(instance))
    instance.full_clean()
    instance.save()
    for name, values in many_to_many.items():
        getattr(instance, name).set(values)
    check_permission(user, Action.ADD if creating else Action.CHANGE, instance)
    return instance


@transaction.atomic
def delete_restricted(user: User | Any, instance: models.Model) -> None:
    check_permission(user, Action.DELETE, instance)
    instance.delete()
