"""Backup and restore: a site with videos, dumped while it runs, restored into a NEW database and
media folder, serves the same videos (pages and seekable files) to their owners, and to no one
else. Runs on the suite's database: SQLite in the first pass, PostgreSQL in the second.
"""

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from tests.conftest import wait_for
from tests.factories import make_token, make_video
from videos import backup
from videos.models import MediaState

ROOT = Path(__file__).resolve().parents[2]
MP4 = (ROOT / "videos/simulator/media/16x9.mp4").read_bytes()
JPG = (ROOT / "videos/simulator/media/16x9.jpg").read_bytes()


def _url(name: str) -> str:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def new_database(tmp_path):
    """The URL of a database that does not exist yet (PostgreSQL: created empty, then dropped)."""
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield _url(str(tmp_path / "restored.sqlite3"))
        return
    name = f"{db['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stored_video(owner, prompt):
    video = make_video(owner, prompt=prompt, media_state=MediaState.DONE)
    base = f"videos/{owner.pk}/{video.pk}"
    video.video_file = default_storage.save(f"{base}.mp4", ContentFile(MP4))
    video.thumbnail_file = default_storage.save(f"{base}-thumb.jpg", ContentFile(JPG))
    video.video_file_size = len(MP4)
    video.save()
    return video


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(**extra):
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DEBUG"))}
    return {**keep, "DEBUG": "true", "SECRET_KEY": django_settings.SECRET_KEY, **extra}


@pytest.fixture
def restored_site(new_database, tmp_path):
    """Restore a backup folder with the real command, then serve it with gunicorn."""
    media = tmp_path / "restored-media"
    processes = []

    def start(folder: Path) -> str:
        env = _environment(DATABASE_URL=new_database, MEDIA_ROOT=str(media))
        restore = subprocess.run(
            [sys.executable, "manage.py", "restore", str(folder)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert restore.returncode == 0, restore.stderr
        port = _free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--worker-class", "gthread", "--threads", "4"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(server)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url + "/healthz"), timeout=30, interval=0.2)
        return url, restore.stdout

    yield start
    for server in processes:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    shutil.rmtree(media, ignore_errors=True)


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code == 200
    except (requests.ConnectionError, requests.Timeout):  # a slow first answer on a busy machine
        return False


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_restored_site_serves_the_same_videos_to_their_owners(
    owner, other, tmp_path, restored_site
):
    fox = _stored_video(owner, "A fox in the snow")
    cat = _stored_video(other, "A cat on a roof")
    owner_session = Client()
    owner_session.force_login(owner)
    other_session = Client()
    other_session.force_login(other)
    token = make_token(owner)

    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    [folder] = (tmp_path / "backups").iterdir()
    url, said = restored_site(folder)

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"] == {"users": 2, "videos": 2}
    assert len(manifest["media"]["files"]) == 4
    assert "Restored 2 users, 2 videos and 4 media files." in said
    as_owner = {"sessionid": owner_session.cookies["sessionid"].value}
    as_other = {"sessionid": other_session.cookies["sessionid"].value}

    listing = requests.get(f"{url}/videos/", cookies=as_owner, timeout=10)
    page = requests.get(f"{url}/videos/{fox.pk}/", cookies=as_owner, timeout=10)
    seek = requests.get(
        f"{url}/files/{fox.pk}/video/",
        cookies=as_owner,
        headers={"Range": "bytes=100-1099"},
        timeout=10,
    )
    whole = requests.get(
        f"{url}/files/{fox.pk}/video/", headers={"Authorization": f"Token {token}"}, timeout=10
    )
    thumb = requests.get(f"{url}/files/{cat.pk}/thumbnail/", cookies=as_other, timeout=10)
    not_yours_page = requests.get(f"{url}/videos/{fox.pk}/", cookies=as_other, timeout=10)
    not_yours_file = requests.get(f"{url}/files/{fox.pk}/video/", cookies=as_other, timeout=10)

    assert listing.status_code == 200 and "A fox in the snow" in listing.text
    assert "A cat on a roof" not in listing.text
    assert page.status_code == 200 and f"/files/{fox.pk}/video/" in page.text
    assert seek.status_code == 206
    assert seek.headers["Content-Range"] == f"bytes 100-1099/{len(MP4)}"
    assert seek.content == MP4[100:1100]
    assert whole.status_code == 200 and whole.content == MP4
    assert thumb.status_code == 200 and thumb.content == JPG
    assert not_yours_page.status_code == 404 and not_yours_file.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_written_whole_or_not_at_all(owner, tmp_path, monkeypatch):
    _stored_video(owner, "A fox")

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_copy_media", broken)
    with pytest.raises(OSError):
        backup.create(tmp_path)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_already_has_tables(owner, tmp_path):
    folder = backup.create(tmp_path)

    with pytest.raises(backup.BackupError, match="already has tables"):
        backup.restore(folder)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_whose_dump_was_changed(owner, tmp_path):
    folder = backup.create(tmp_path)
    dump = next(folder.glob("database.*"))
    dump.write_bytes(dump.read_bytes() + b"tampered")

    with pytest.raises(backup.BackupError, match="does not match its checksum"):
        backup.restore(folder)


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(backup.BackupError, match="not a Luma Studio backup"):
        backup.restore(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_the_readiness_probes_files_are_left_out_of_a_backup(owner, tmp_path, settings):
    probe = Path(settings.MEDIA_ROOT) / "health_check_storage_test/test-1.txt"
    probe.parent.mkdir(parents=True)
    probe.write_text("probe")
    _stored_video(owner, "A fox")

    folder = backup.create(tmp_path)

    paths = [f["path"] for f in backup.read_manifest(folder)["media"]["files"]]
    assert len(paths) == 2 and not any("health_check" in p for p in paths)
