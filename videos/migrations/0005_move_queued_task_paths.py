# Background tasks moved beside the functions they run. Tasks already waiting in the
# database queue name their old import paths; point them at the new ones so that they
# still run after the upgrade. (With the RQ backend, drain the queue before deploying;
# the sweep would recreate any dispatch, copy or delivery that was lost anyway.)

from django.db import migrations

MOVED = {
    "videos.tasks.dispatch_video": "videos.services.dispatch_video",
    "videos.tasks.sweep": "videos.sweep.sweep_task",
    "videos.tasks.copy_media": "videos.media.copy_media",
    "videos.gateway.tasks.deliver_callback": "videos.gateway.delivery.deliver_callback",
}


def _rename(apps, mapping):
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    for old, new in mapping.items():
        results.filter(task_path=old, status="READY").update(task_path=new)


def forwards(apps, schema_editor):
    _rename(apps, MOVED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("videos", "0004_quotaevent"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
