"""Copy the files of every finished video that has no stored copy yet (existing installs)."""

from django.core.management.base import BaseCommand

from videos import media


class Command(BaseCommand):
    help = "Copy finished videos' files from AceDataCloud into our storage where missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Leave the copying to the worker instead of copying here and now.",
        )

    def handle(self, *args, enqueue, **options):
        missing = media.missing_copies()
        ids = list(missing.values_list("pk", flat=True))
        media.retry(missing)
        if enqueue:
            for pk in ids:
                media.enqueue_copy(pk)
            self.stdout.write(f"Enqueued {len(ids)} copies for the worker.")
            return
        for pk in ids:
            media.copy(pk)
        done = media.missing_copies().filter(pk__in=ids).count()
        self.stdout.write(f"Copied {len(ids) - done} of {len(ids)} videos; {done} failed.")
        for video in media.missing_copies().filter(pk__in=ids):
            self.stdout.write(f"  {video.pk}: {video.media_error}")
