"""In real Chromium: drop an image on the first frame, paste one as the last, make the video
(the simulator fetches both from the live site), then "Try again" on a failed video."""

import base64

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import wait_for
from tests.factories import make_video
from tests.images import image_bytes
from videos.models import Upload, Video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

# Build a File in the page from base64 and drop it on an element, as a person dragging
# a picture from their desktop would (Playwright cannot drag from outside the page).
DROP = """([selector, data, name, type]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const target = document.querySelector(selector);
  for (const kind of ["dragenter", "dragover", "drop"]) {
    const options = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(kind, options));
  }
}"""
PASTE = """([data, name, type]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const options = { bubbles: true, cancelable: true, clipboardData: transfer };
  document.dispatchEvent(new ClipboardEvent("paste", options));
}"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_drop_a_first_frame_paste_a_last_one_and_make_the_video(
    page, live, shoot, owner, simulator, background_worker
):
    sign_in(page, live, owner)
    page.goto("/videos/new/")
    page.get_by_label("Prompt", exact=True).fill("A paper boat on a pond")

    zone = "#id_start_image"
    page.evaluate(
        DROP, ['[data-testid="drop-zone"]', _b64(image_bytes("PNG")), "boat.png", "image/png"]
    )
    preview = page.locator(".drop-preview img").first
    expect(preview).to_be_visible()
    assert page.evaluate(f"document.querySelector('{zone}').files[0].name") == "boat.png"
    page.evaluate(PASTE, [_b64(image_bytes("JPEG", color="blue")), "pasted.jpg", "image/jpeg"])
    assert page.evaluate("document.querySelector('#id_end_image').files[0].name") == "pasted.jpg"
    shoot(page, "frames-01-dropped-and-pasted")

    # Remove takes a file away again; drop it back.
    page.locator(".drop-preview").first.get_by_role("button", name="Remove").click()
    assert page.evaluate(f"document.querySelector('{zone}').files.length") == 0
    page.evaluate(
        DROP, ['[data-testid="drop-zone"]', _b64(image_bytes("PNG")), "boat.png", "image/png"]
    )

    page.get_by_role("button", name="Make the video").click()
    expect(page.get_by_test_id("state")).to_be_visible()
    video = Video.objects.get()
    assert Upload.objects.filter(used_at__isnull=False).count() == 2
    wait_for(lambda: Video.objects.get(pk=video.pk).state == "completed", timeout=30)
    expect(page.get_by_test_id("player")).to_be_visible(timeout=30_000)
    sent = simulator.get_task(Video.objects.get(pk=video.pk).task_id)["request"]
    assert sent["start_image_url"].startswith(f"{live.url}/uploads/")
    assert sent["end_image_url"].startswith(f"{live.url}/uploads/")
    shoot(page, "frames-02-made-from-uploads")
    assert page.problems == []


def test_try_again_on_a_failed_video(page, live, shoot, owner, simulator, background_worker):
    failed = make_video(
        owner,
        state=Video.State.FAILED,
        prompt="A lighthouse in a storm",
        aspect_ratio="9:16",
        error_code="api_error",
    )
    sign_in(page, live, owner)
    page.goto(f"/videos/{failed.pk}/")
    shoot(page, "frames-03-failed")

    page.get_by_test_id("retry").click()

    expect(page).not_to_have_url(f"{live.url}/videos/{failed.pk}/")
    again = Video.objects.exclude(pk=failed.pk).get()
    assert (again.prompt, again.aspect_ratio) == ("A lighthouse in a storm", "9:16")
    expect(page.get_by_test_id("player")).to_be_visible(timeout=30_000)
    assert Video.objects.get(pk=failed.pk).state == "failed"  # the old one is kept
    shoot(page, "frames-04-tried-again")
    assert page.problems == []
