import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maintenir.core.choices import Role
from maintenir.core.models import Organisation
from maintenir.core.services import create_user


class Command(BaseCommand):
    help = "Create a user with a role (and a client organisation for client users and operators)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.TECHNICIAN)
        parser.add_argument("--organisation", help="code of the client organisation")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="read from the terminal when omitted")
        parser.add_argument("--superuser", action="store_true", help="full access, including the admin site")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"organisation: no client organisation with code {options['organisation']!r}")
        password = options["password"] or getpass.getpass("Password: ")
        superuser = options["superuser"]
        try:
            user = create_user(
                options["username"],
                password,
                options["role"],
                organisation,
                email=options["email"],
                is_staff=superuser,
                is_superuser=superuser,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            ) from error
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}).")
