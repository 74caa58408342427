"""`maintenir check --deploy`: what an installation on several machines must share."""

import os
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_shared(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Without MAINTENIR_SECRET_KEY each machine keeps a key of its own in its data directory, and a session opened
    through one web machine is refused by the next."""
    if os.environ.get("MAINTENIR_SECRET_KEY") or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return []
    return [
        Warning(
            "MAINTENIR_SECRET_KEY is not set: this machine uses a key generated in its data directory.",
            hint="Set the same MAINTENIR_SECRET_KEY on every web and worker machine.",
            id="maintenir.W001",
        )
    ]
