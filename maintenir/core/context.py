"""Who is acting and under which request id, for the change log.

The web middleware sets it per request; commands and background tasks use
`acting_as(user)`. The user is read lazily because API token authentication
happens after the middleware has run.
"""

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maintenir.core.models import User


@dataclass(frozen=True)
class ChangeContext:
    get_user: Callable[[], Any]
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def user(self) -> "User | None":
        user = self.get_user()
        return user if user is not None and user.is_authenticated else None


_current: ContextVar[ChangeContext | None] = ContextVar("maintenir_change_context", default=None)


def current() -> ChangeContext | None:
    return _current.get()


@contextlib.contextmanager
def change_context(context: ChangeContext) -> Iterator[ChangeContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def acting_as(user: "User | None") -> contextlib.AbstractContextManager[ChangeContext]:
    return change_context(ChangeContext(get_user=lambda: user))
