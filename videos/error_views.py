"""What a person or a client sees when a request fails: not found, a bug, a database away.

Django calls these for exceptions the views did not handle (handler404/handler500 in
config/urls.py). An API or gateway client always gets JSON in its own error shape, never
an HTML page; a database that cannot be reached (an outage, a restart) is a 503 with
Retry-After rather than a 500, because trying again shortly is the right thing to do.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import defaults

from . import wire

# Errors that mean "the database cannot be reached right now", not "this request is wrong".
UNREACHABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# English on the gateway (it answers as AceDataCloud does); the REST API's follows the
# request's language.
UNAVAILABLE_MESSAGE = gettext_noop("Luma Studio is briefly unavailable. Try again in a moment.")
API_PREFIXES = ("/api/", "/webhooks/")
GATEWAY_PREFIX = "/luma/"


def unavailable_json(path: str) -> JsonResponse:
    """The 503 an API, webhook or gateway client gets while the database is away."""
    if path.startswith(GATEWAY_PREFIX):
        body = wire.error_body("api_error", UNAVAILABLE_MESSAGE)
    else:
        body = {"detail": _(UNAVAILABLE_MESSAGE), "code": "unavailable"}
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _is_client(path: str) -> bool:
    return path.startswith((*API_PREFIXES, GATEWAY_PREFIX))


def _page(template: str, status: int):
    # Rendered without a request context: the failure may be the database itself, and the
    # context processors (the signed-in user) would need it.
    return HttpResponse(loader.get_template(template).render(), status=status)


def not_found(request, exception):
    """handler404: JSON for an API or gateway client, the site's page for a person."""
    if request.path.startswith(GATEWAY_PREFIX):
        return JsonResponse(wire.error_body("no_api"), status=404)
    if _is_client(request.path):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: a 503 while the database is away, else a 500, in the client's shape."""
    exc = sys.exc_info()[1]
    if isinstance(exc, UNREACHABLE):
        if _is_client(request.path):
            return unavailable_json(request.path)
        response = _page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if request.path.startswith(GATEWAY_PREFIX):
        return JsonResponse(wire.error_body("api_error"), status=500)
    if _is_client(request.path):
        message = _("Something went wrong on our side. It has been logged; try again shortly.")
        return JsonResponse({"detail": message, "code": "server_error"}, status=500)
    return _page("500.html", 500)
