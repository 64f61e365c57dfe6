"""The client's address, the one way the login guard, the throttles and allauth read it.

Behind a proxy REMOTE_ADDR is the proxy. Each trusted proxy appends the address it saw to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies the client is the entry that many
places from the end; anything before it was written by the client and proves nothing.
With TRUSTED_PROXY_COUNT 0 (the default) the header is ignored: anyone can send one.
"""

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted <= 0 or not forwarded:
        return remote
    entries = [part.strip() for part in forwarded.split(",")]
    # Fewer entries than trusted proxies: the request bypassed one, and no entry can be
    # vouched for; the peer that connected is the only address we know.
    if len(entries) < trusted:
        return remote
    return entries[-trusted][:100] or remote
