from django.core.management.base import BaseCommand

from webhooks.services import delivering, dispatch


class Command(BaseCommand):
    help = "Make webhook deliveries of new qualifications and send those due, here and now (no worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=60, help="Stop sending after this long (default 60).")

    def handle(self, *args, seconds, **options):
        released = delivering.deliveries_release_expired()
        created = dispatch.webhooks_dispatch()
        delivered = delivering.deliveries_send_due(budget_seconds=seconds)
        self.stdout.write(
            f"{created} new deliveries, {released} taken back from stopped workers, {delivered} delivered."
        )
