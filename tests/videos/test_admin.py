import pytest
from django.urls import reverse

from tests.factories import make_video
from tests.images import png
from videos import uploads
from videos.models import GatewayJob, Video
from videos.quota import quota_status


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def test_the_video_list_shows_filters_search_and_thumbnails(admin_client, owner, other):
    make_video(owner, prompt="A red fox")
    make_video(other, prompt="A whale", state=Video.State.FAILED)

    page = admin_client.get(reverse("admin:videos_video_changelist"), {"q": "fox"}).content.decode()

    assert "A red fox" in page and "A whale" not in page
    assert 'alt="Thumbnail"' in page
    for word in ("By state", "By action", "By owner", "By created"):
        assert word in page


def test_the_video_list_costs_the_same_queries_however_many_videos(
    admin_client, owner, django_assert_max_num_queries
):
    for _ in range(30):
        make_video(owner)

    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("admin:videos_video_changelist")).status_code == 200


def test_search_finds_a_video_by_task_id_or_upstream_video_id(admin_client, owner):
    video = make_video(owner)
    url = reverse("admin:videos_video_changelist")

    assert str(video.pk)[:8] in admin_client.get(url, {"q": video.task_id}).content.decode()
    assert str(video.pk)[:8] in admin_client.get(url, {"q": video.video_id}).content.decode()


def test_a_video_page_links_to_its_parent_and_root(admin_client, owner):
    root = make_video(owner)
    child = make_video(owner, parent=root)

    page = admin_client.get(reverse("admin:videos_video_change", args=[child.pk])).content.decode()

    assert reverse("admin:videos_video_change", args=[root.pk]) in page


def test_failing_a_stuck_job_releases_its_quota(admin_client, owner):
    stuck = make_video(owner, state=Video.State.PROCESSING)
    done = make_video(owner)

    admin_client.post(
        reverse("admin:videos_video_changelist"),
        {"action": "fail_stuck_jobs", "_selected_action": [stuck.pk, done.pk]},
    )

    stuck.refresh_from_db()
    assert stuck.state == "failed" and stuck.error_code == "cancelled"
    assert Video.objects.get(pk=done.pk).state == "completed"
    assert quota_status(owner).used == 1


def test_refreshing_asks_upstream_about_in_flight_jobs(admin_client, owner, fake_upstream):
    job = make_video(owner, state=Video.State.PROCESSING)
    fake_upstream.tasks[job.task_id] = {"id": job.task_id}
    fake_upstream.finish(job.task_id)

    admin_client.post(
        reverse("admin:videos_video_changelist"),
        {"action": "refresh_from_upstream", "_selected_action": [job.pk]},
    )

    assert Video.objects.get(pk=job.pk).state == "completed"


def test_the_user_page_shows_allowance_usage_and_the_ledger_read_only(admin_client, owner):
    make_video(owner)
    url = reverse("admin:auth_user_change", args=[owner.pk])

    page = admin_client.get(url).content.decode()

    assert "1 of 10 used, 0 in flight" in page
    assert "Accepted: Generate" in page  # the charge line of the ledger
    assert 'name="quota_events-0-reason"' not in page  # shown, not editable


def test_an_admin_can_change_a_users_allowance(admin_client, owner):
    url = reverse("admin:auth_user_change", args=[owner.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "date_joined_0": "2026-11-25",
            "date_joined_1": "10:00:00",
            "allowance-TOTAL_FORMS": "1",
            "allowance-INITIAL_FORMS": "1",
            "allowance-MIN_NUM_FORMS": "0",
            "allowance-MAX_NUM_FORMS": "1",
            "allowance-0-id": owner.allowance.pk,
            "allowance-0-user": owner.pk,
            "allowance-0-videos_per_period": "42",
            "allowance-0-max_in_flight": "",
            "quota_events-TOTAL_FORMS": "0",
            "quota_events-INITIAL_FORMS": "0",
            "quota_events-MIN_NUM_FORMS": "0",
            "quota_events-MAX_NUM_FORMS": "0",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    owner.refresh_from_db()
    assert quota_status(owner).limit == 42


def test_gateway_deliveries_are_listed_with_attempts_and_the_last_error(admin_client, owner):
    video = make_video(owner)
    callback_url = "https://hooks.example.com/luma/secret-path?token=client-secret"
    GatewayJob.objects.create(
        video=video,
        mode=GatewayJob.Mode.CALLBACK,
        request_body={"prompt": "A fox", "callback_url": callback_url},
        callback_url=callback_url,
        delivery_state=GatewayJob.Delivery.PENDING,
        delivery_attempts=2,
        last_delivery_error="HTTP 503",
    )

    listing = admin_client.get(reverse("admin:videos_gatewayjob_changelist")).content.decode()
    page = admin_client.get(
        reverse("admin:videos_gatewayjob_change", args=[video.pk])
    ).content.decode()

    assert "HTTP 503" in listing and '<td class="field-delivery_attempts">2</td>' in listing
    assert "hooks.example.com" in page
    for secret in ("secret-path", "client-secret"):  # the client's own secrets stay hidden
        assert secret not in listing and secret not in page


def test_the_quota_ledger_is_read_only_in_the_admin(admin_client, owner):
    make_video(owner)

    listing = admin_client.get(reverse("admin:videos_quotaevent_changelist")).content.decode()

    assert "Accepted: Generate" in listing
    assert admin_client.get(reverse("admin:videos_quotaevent_add")).status_code == 403


def test_the_admin_carries_the_sites_name(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert "Luma Studio administration" in html and "Django administration" not in html


def test_staff_see_uploads_without_the_address_token(admin_client, owner):
    row = uploads.save(owner, png())
    client = admin_client

    listing = client.get("/admin/videos/upload/").content.decode()
    page = client.get(f"/admin/videos/upload/{row.pk}/change/").content.decode()

    assert "frame.png" in listing and "olivia" in listing
    assert row.token not in listing and row.token not in page
