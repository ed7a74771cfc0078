"""``manage.py connect_webhooks --username demo --password demo``: sign in as that cloud user and
set every webhook event of their account up to deliver to this portal (what the webhooks page's
*Connect this portal* does). The quick start runs it for the demo account. Needs
``PORTAL_PUBLIC_URL``."""

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import authenticate_with_cloud, cloud_client_for
from apps.audit.services import record
from apps.clc.errors import ClcError
from apps.webhooks import selectors, services


class Command(BaseCommand):
    help = "Connect a cloud account's webhooks to this portal (as the given cloud user)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, username, password, **options):
        try:
            user = authenticate_with_cloud(username, password)
            client = cloud_client_for(user)
            setup = selectors.setup_for(user, client)
            if setup.fully_connected:
                self.stdout.write(f"webhooks of {setup.alias}: already connected to {setup.base}")
                return
            services.connect(client, user, setup)
        except services.NotConfigured as exc:
            raise CommandError(str(exc)) from None
        except ClcError as exc:
            raise CommandError(f"the cloud refused: {exc.message or exc}") from None
        record(
            user=user,
            action="webhooks.connect",
            target_type="webhooks",
            target_id=setup.alias,
            result="success",
            detail={"by": "manage.py connect_webhooks"},
        )
        self.stdout.write(
            f"webhooks of {setup.alias}: {len(setup.events)} events deliver to {services.public_base()}"
        )
