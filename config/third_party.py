"""Other projects' words that our pages show, put into the site's own catalogue where theirs
has no Chinese (the catalogue in LOCALE_PATHS is read before any app's)."""

from django.utils.translation import gettext_lazy, gettext_noop
from django_tasks_db.apps import TasksAppConfig

# Django 5.2's admin index labels its table's columns with these for screen readers; its
# Simplified Chinese catalogue does not have them yet.
ADMIN_WORDS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
# django-tasks-db's model, named for translation but with no Chinese catalogue of its own.
TASK_WORDS = [gettext_noop("Task Result"), gettext_noop("Task Results")]


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks-db, whose name in the admin is a plain string: the same app, named in the
    reader's language."""

    verbose_name = gettext_lazy("Background tasks")
