"""Turn what a user typed into a job request, with one readable message per bad field.

Shared by the REST API, the pages and the gateway so that the rules cannot drift.
"""

import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from accounts import teams
from accounts.models import Team

from .errors import InvalidRequest, NotFound
from .models import AspectRatio, Video

PROMPT_MAX = 2000
URL_MAX = 2000
# C0 control characters other than tab and newlines, plus DEL: they have no
# place in a prompt and NUL cannot even be stored by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class JobRequest:
    action: str = Video.Action.GENERATE
    prompt: str = ""
    start_image_url: str = ""
    end_image_url: str = ""
    aspect_ratio: str = AspectRatio.WIDE
    loop: bool = False
    enhancement: bool = True
    parent: Video | None = None
    source_video_id: str = ""
    source_video_url: str = ""
    team: Team | None = None  # the team whose budget the job counts against
    errors: dict = field(default_factory=dict)


def _text(value, name, errors, max_length):
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = [_("Must be text.")]
        return ""
    value = value.strip()
    if _CONTROL.search(value):
        errors[name] = [_("Remove the control characters (such as NUL) from this field.")]
    elif len(value) > max_length:
        errors[name] = [
            _("At most %(most)d characters, this has %(count)d.")
            % {"most": max_length, "count": len(value)}
        ]
    return value


def _url(value, name, errors):
    value = _text(value, name, errors, URL_MAX)
    if value and name not in errors:
        try:
            _url_validator(value)
        except DjangoValidationError:
            errors[name] = [_("Enter a full http:// or https:// address.")]
    return value


def _bool(value, name, errors, default):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "off", "no"):
        return False
    errors[name] = [_("Must be true or false.")]
    return default


SEARCH_MAX_WORDS = 10
MAX_VARIATIONS = 4


def count_of(value) -> int:
    """How many variations a request asks for: 1 to MAX_VARIATIONS; InvalidRequest if not."""
    if value is None or value == "":
        return 1
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VARIATIONS:
        raise InvalidRequest(
            {"count": [_("Choose how many videos: 1 to %(most)d.") % {"most": MAX_VARIATIONS}]}
        )
    return value


def search_text(value, name: str = "search") -> str:
    """The words to search prompts for (at most SEARCH_MAX_WORDS); InvalidRequest if unfit."""
    errors: dict[str, list[str]] = {}
    text = _text(value, name, errors, PROMPT_MAX)
    if errors:
        raise InvalidRequest(errors)
    return " ".join(text.split()[:SEARCH_MAX_WORDS])


def build_request(user, data: dict) -> JobRequest:
    """Validate a generate or extend request; raise InvalidRequest or NotFound."""
    errors: dict[str, list[str]] = {}
    action = data.get("action") or Video.Action.GENERATE
    if action not in Video.Action.values:
        errors["action"] = [_("Choose generate or extend.")]
    aspect_ratio = data.get("aspect_ratio") or AspectRatio.WIDE
    if aspect_ratio not in AspectRatio.values:
        errors["aspect_ratio"] = [
            _("Choose one of %(choices)s.") % {"choices": ", ".join(AspectRatio.values)}
        ]
    req = JobRequest(
        action=action,
        prompt=_text(data.get("prompt"), "prompt", errors, PROMPT_MAX),
        start_image_url=_url(data.get("start_image_url"), "start_image_url", errors),
        end_image_url=_url(data.get("end_image_url"), "end_image_url", errors),
        aspect_ratio=aspect_ratio,
        loop=_bool(data.get("loop"), "loop", errors, False),
        enhancement=_bool(data.get("enhancement"), "enhancement", errors, True),
        source_video_id=_text(data.get("video_id"), "video_id", errors, 100),
        source_video_url=_url(data.get("video_url"), "video_url", errors),
    )
    parent_ref = data.get("parent")
    if parent_ref:
        try:
            parent_ref = uuid.UUID(str(parent_ref))
        except ValueError:
            errors["parent"] = [_("That is not a video id.")]
    if action == Video.Action.GENERATE:
        if not req.prompt and "prompt" not in errors:
            errors["prompt"] = [_("Describe the video you want: a prompt is required.")]
        for name in ("parent", "video_id", "video_url"):
            if data.get(name):
                errors[name] = [_("Only an extend takes this field.")]
    elif action == Video.Action.EXTEND:
        if req.start_image_url:
            errors["start_image_url"] = [
                _("An extension continues a video; it takes no first frame.")
            ]
        sources = [n for n in ("parent", "video_id", "video_url") if data.get(n)]
        if not sources and not errors.keys() & {"video_id", "video_url"}:
            errors["parent"] = [_("Say which video to extend: parent, video_id or video_url.")]
        elif len(sources) > 1:
            errors[sources[1]] = [_("Give only one of parent, video_id and video_url.")]
    req.team = _team(user, data.get("team"), errors)
    if errors:
        raise InvalidRequest(errors)
    if action == Video.Action.EXTEND:
        _resolve_source(user, req, parent_ref)
    return req


def _team(user, ref, errors) -> Team | None:
    """The team named (one of the user's), else the user's default team (None if in none)."""
    if ref is None or ref == "":
        return teams.default_team(user)
    team = teams.member_team(user, ref) if isinstance(ref, str | uuid.UUID) else None
    if team is None:
        errors["team"] = [_("Choose one of your teams.")]
    return team


def _resolve_source(user, req: JobRequest, parent_ref):
    """Find the video an extension continues, and link it as parent when it is the user's."""
    if parent_ref:
        parent = Video.objects.for_user(user).filter(pk=parent_ref).first()
        if parent is None:
            raise NotFound(_("You have no video with that id."))
    elif req.source_video_id:
        # Only the user's own videos are looked at: another user's video with this id is
        # treated exactly like one made elsewhere, so the answer reveals nothing about it.
        parent = Video.objects.for_user(user).filter(video_id=req.source_video_id).first()
    else:
        mine = Video.objects.for_user(user).filter(state=Video.State.COMPLETED)
        own_copy = _own_copy_id(req.source_video_url)
        if own_copy:
            parent = mine.filter(pk=own_copy).first()
        else:
            parent = mine.filter(video_url=req.source_video_url).first()
    if parent is None:
        return
    if parent.state != Video.State.COMPLETED or not parent.video_id:
        raise InvalidRequest({"parent": [_("Only a completed video can be extended.")]})
    req.parent = parent
    req.source_video_id = parent.video_id
    req.source_video_url = ""
    # An extension continues its parent's picture, so it keeps the parent's frame.
    req.aspect_ratio = parent.aspect_ratio


def _own_copy_id(url: str):
    """The video id if url is the address of one of our stored copies (any host)."""
    try:
        match = resolve(urlsplit(url).path)
    except (Resolver404, ValueError):
        return None
    return match.kwargs.get("pk") if match.view_name == "videos:media-video" else None
