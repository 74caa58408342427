"""What the server log says about requests."""

import logging


class RefusalFilter(logging.Filter):
    """A refused request (403) is a warning on one line naming the path and the user, not a traceback:
    a refusal is the permission rules doing their work, and a traceback per refusal buries real errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            request = getattr(record, "request", None)
            user = getattr(request, "user", None)
            name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
            path = getattr(request, "path", "?")
            record.msg, record.args = "Forbidden: %s (user %s)", (path, name)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
