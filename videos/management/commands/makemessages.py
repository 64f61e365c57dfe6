"""Django's makemessages with the project's defaults: only our own code is scanned (not the
virtualenv, the tests, the benchmarks or collected static files), and with no --locale given
it updates every language in settings.LANGUAGES but English, the language the code is in.

    python manage.py makemessages -d django
    python manage.py makemessages -d djangojs
"""

from django.conf import settings
from django.core.management.commands import makemessages
from django.utils.translation import to_locale

IGNORED = [".*", "artifacts", "bench", "docs", "media", "node_modules", "staticfiles", "tests"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        if not options.get("locale") and not options.get("all"):
            options["locale"] = [
                to_locale(code) for code, _name in settings.LANGUAGES if code != "en"
            ]
        # Each entry names its files but not its lines: line numbers move with every edit, and
        # the catalogue's diff (and merge) should show only the sentences that changed.
        options["add_location"] = options.get("add_location") or "file"
        return super().handle(*args, **options)
