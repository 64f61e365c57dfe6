"""python manage.py backup: the database and the kept media, into one folder with a manifest."""

from django.core.management.base import BaseCommand, CommandError

from videos import backup


class Command(BaseCommand):
    help = (
        "Back up the site while it runs: a consistent database dump (pg_dump, or SQLite's "
        "online backup) and the media folder, with a manifest of checksums, into one folder."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=None, help="Folder to write the backup under (default: BACKUP_ROOT)"
        )

    def handle(self, *args, output, **options):
        try:
            folder = backup.create(output)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        manifest = backup.read_manifest(folder)
        media = manifest["media"]
        self.stdout.write(
            f"Backed up {manifest['counts']['users']} users, {manifest['counts']['videos']} "
            f"videos and {len(media['files'])} media files to {folder}"
        )
        if media["storage"] != "folder":
            self.stdout.write(media["note"])
