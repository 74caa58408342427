"""A logged-in test client, for the page tests of every app."""

from typing import Any

from django.test import Client


def client_for(user: Any, **headers: Any) -> Client:
    """A client logged in as `user`, sending `headers` (e.g. HTTP_ACCEPT_LANGUAGE) with every request."""
    client = Client(**headers)
    client.force_login(user)
    return client
