"""GET /metrics for Prometheus, for the scraper alone.

A scrape is let in by `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time),
or by coming straight from an address in METRICS_ALLOWED_IPS. A request that went through a
proxy (it carries X-Forwarded-For, Forwarded, X-Real-IP or X-Forwarded-Proto) is never let
in by its address: behind a proxy on the same machine every visitor would seem to come from
127.0.0.1. With neither setting (the production default) every scrape is refused.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .metrics import registry_for_scrape

PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Proto")


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in allowed)


def _from_allowed_address(request) -> bool:
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


def _has_token(request) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and constant_time_compare(given, expected)


def _refusal(status: int, detail: str, code: str):
    response = JsonResponse({"detail": detail, "code": code}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    add_never_cache_headers(response)
    return response


@require_GET
def metrics(request):
    if not (_has_token(request) or _from_allowed_address(request)):
        if settings.METRICS_TOKEN:
            return _refusal(401, "Send the metrics token as a Bearer token.", "not_authenticated")
        return _refusal(
            403, "Metrics are open only to METRICS_ALLOWED_IPS or METRICS_TOKEN.", "forbidden"
        )
    response = HttpResponse(
        generate_latest(registry_for_scrape()), content_type=CONTENT_TYPE_LATEST
    )
    add_never_cache_headers(response)
    return response
