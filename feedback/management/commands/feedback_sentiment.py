from itertools import islice

from django.core.management.base import BaseCommand

from feedback.models import Response
from feedback.services.answers import responses_sentiment_update

BATCH = 1_000


class Command(BaseCommand):
    help = "(Re)compute the sentiment of every answer's comment, here and now; unchanged ones are not written."

    def handle(self, *args, **options):
        ids = Response.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH)
        changed = seen = 0
        while batch := list(islice(ids, BATCH)):
            changed += responses_sentiment_update(response_ids=batch)
            seen += len(batch)
        self.stdout.write(f"Checked the sentiment of {seen:,} answers; {changed:,} changed.")
