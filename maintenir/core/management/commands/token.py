from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maintenir.core.models import User
from maintenir.core.services import issue_token


class Command(BaseCommand):
    help = "Create an API token for USER and print it (the last line of output is the token)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="username")
        parser.add_argument("--description", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"user: no user named {options['user']!r}")
        key = issue_token(user, options["description"])
        self.stderr.write(f"API token for {user.username} (shown once; send it as 'Authorization: Bearer <token>'):")
        self.stdout.write(key)
