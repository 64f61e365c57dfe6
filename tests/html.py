"""Reading pages in tests."""

import re

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_csrf_tokens(html: str | bytes) -> str:
    """The page with each form's CSRF token blanked: Django masks the token afresh on every
    render, so two answers that say the same thing still differ there."""
    if isinstance(html, bytes):
        html = html.decode()
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)
