"""python manage.py restore <folder>: a backup into a new, empty database and media folder."""

from django.core.management.base import BaseCommand, CommandError

from videos import backup


class Command(BaseCommand):
    help = (
        "Restore a folder written by `manage.py backup` into the database of DATABASE_URL and "
        "the folder MEDIA_ROOT, both new and empty. Every checksum is verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A backup folder (luma-studio-<time>)")

    def handle(self, *args, folder, **options):
        try:
            restored = backup.restore(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"Restored {restored.users} users, {restored.videos} videos and "
            f"{restored.media_files} media files."
        )
        if restored.needs_migrate:
            self.stdout.write("This code is newer than the backup: run `manage.py migrate` next.")
