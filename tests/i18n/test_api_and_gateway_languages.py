"""The REST API's messages follow Accept-Language and its codes never change; the gateway
answers exactly as AceDataCloud does, in English, whatever the client's language; the page
scripts' words come from the JavaScript catalogue."""

import json

from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_token, make_video, use_up_quota
from videos.models import Video

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


def _api(owner, language=None):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(owner)}")
    if language:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {make_token(owner)}", HTTP_ACCEPT_LANGUAGE=language
        )
    return client


def test_a_validation_error_s_detail_follows_the_language_and_its_code_does_not(owner):
    body = {"prompt": "", "aspect_ratio": "4:3"}
    english = _api(owner).post("/api/v1/videos/", body, format="json")
    chinese = _api(owner, "zh-CN").post("/api/v1/videos/", body, format="json")

    assert english.status_code == chinese.status_code == 400
    assert english.json()["code"] == chinese.json()["code"] == "invalid"
    assert chinese.json()["fields"]["prompt"] == ["请描述你想要的视频：提示词为必填项。"]
    assert english.json()["fields"]["prompt"] == [
        "Describe the video you want: a prompt is required."
    ]
    assert Video.objects.count() == 0


def test_a_used_up_allowance_is_refused_in_chinese_with_the_same_code(owner):
    use_up_quota(owner)
    answer = _api(owner, "zh-hans").post("/api/v1/videos/", {"prompt": "狐狸"}, format="json")

    assert answer.status_code == 429 and answer.json()["code"] == "quota_exceeded"
    assert "额度已全部用完" in answer.json()["detail"]


def test_django_rest_framework_s_own_messages_are_translated_too(owner):
    missing = _api(owner, "zh-hans").get("/api/v1/videos/00000000-0000-0000-0000-000000000000/")
    anonymous = APIClient().get("/api/v1/videos/", **CHINESE)
    bad_token = APIClient().get("/api/v1/videos/", HTTP_AUTHORIZATION="Token nope", **CHINESE)

    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert missing.json()["detail"] == "未找到。"
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    assert "身份认证信息未提供" in anonymous.json()["detail"]
    assert bad_token.json()["detail"] == "此 API 令牌无效：它已被吊销、已过期，或输入有误。"


def test_a_bad_json_body_is_refused_in_the_reader_s_language(owner):
    answer = _api(owner, "zh-hans").post(
        "/api/v1/videos/", b"{nope", content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "parse_error"
    assert answer.json()["detail"].startswith("JSON 解析错误")


def test_the_gateway_answers_in_english_whatever_the_client_s_language(owner):
    token = make_token(owner)
    answers = [
        Client().post(
            "/luma/videos",
            json.dumps({"prompt": ""}),
            content_type="application/json",
            headers={"authorization": f"Bearer {token}", "accept-language": language},
        )
        for language in ("en", "zh-CN,zh;q=0.9")
    ]

    assert answers[0].status_code == answers[1].status_code == 400
    english, chinese = (a.json()["error"] for a in answers)
    assert english["code"] == chinese["code"] and english["message"] == chinese["message"]
    assert chinese["message"].isascii()


def test_the_gateway_s_task_records_stay_english_for_a_chinese_client(owner):
    video = make_video(
        owner,
        state=Video.State.FAILED,
        error_code="forbidden",
        error_message="AceDataCloud's moderation refused this prompt; try rewording it.",
        error_params={"kind": "upstream"},
    )
    token = make_token(owner)
    answer = Client().post(
        "/luma/tasks",
        json.dumps({"action": "retrieve", "id": video.task_id}),
        content_type="application/json",
        headers={"authorization": f"Bearer {token}", "accept-language": "zh-CN"},
    )

    assert answer.status_code == 200
    assert answer.content.decode().isascii()


def test_the_javascript_catalogue_holds_the_scripts_words_and_is_revalidated(db):
    chinese = Client().get("/jsi18n/?l=zh-hans", **CHINESE)
    english = Client().get("/jsi18n/?l=en")

    copied = json.dumps("已复制")  # the catalogue is JSON inside the script: escaped
    assert chinese.status_code == 200 and copied in chinese.content.decode()
    assert copied not in english.content.decode()
    assert "no-cache" in chinese["Cache-Control"]
    again = Client().get(
        "/jsi18n/?l=zh-hans", HTTP_IF_MODIFIED_SINCE=chinese["Last-Modified"], **CHINESE
    )
    assert again.status_code == 304
