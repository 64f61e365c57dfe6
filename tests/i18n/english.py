"""Finding English left on a page that should read entirely in another language."""

import re
from html.parser import HTMLParser

# Names and technical words that stay as they are in every language.
KEPT = [
    "Luma Studio",
    "AceDataCloud",
    "Luma",
    "REST API",
    "API",
    "OpenAPI",
    "curl",
    "CLI",
    "SDK",
    "luma-pro-cli",
    "acedatacloud",
    "adc",
    "Token",
    "Authorization",
    "Bearer",
    "JSON",
    "SHA-256",
    "video_id",
    "video_url",
    "task_id",
    "callback_url",
    "async",
    "parent",
    "otp",
    "English",
    "Django",
    "NUL",
    "http",
    "https",
    "KB",
    "ID",
    "Worker",
    "mp4",
    "UTC",
]
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea"}
# Lists of names that read the same in every language: IANA time zones ("America/New_York"),
# and the admin's permissions, which Django writes to the database in English when it migrates.
SKIPPED_SELECTS = {"time_zone", "user_permissions", "user_permissions_old"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")
# Two or more English words in a row: a sentence or phrase someone forgot to translate.
PHRASE = re.compile(r"[A-Za-z][A-Za-z'’]+(?:[ \t]+[A-Za-z][A-Za-z'’]+)+")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping = 0
        self.selects: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.selects.append(attrs.get("name") in SKIPPED_SELECTS)
            self.skipping += self.selects[-1]
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select" and self.selects:
            self.skipping -= self.selects.pop()
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.texts.append(data)


def english_phrases(html: str, also_kept: tuple[str, ...] = ()) -> list[str]:
    """The English phrases a reader of the page would see, less the names kept as they are."""
    reader = _Reader()
    reader.feed(html)
    found = []
    for text in reader.texts:
        for kept in sorted([*KEPT, *also_kept], key=len, reverse=True):
            text = text.replace(kept, " ")
        found += PHRASE.findall(text)
    return found
