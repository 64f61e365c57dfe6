"""DRF throttles against abuse, separate from quota (which is database state under a lock).

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_SUBMIT, THROTTLE_TOKEN),
counted in the default cache, which every web process shares (see CACHES in settings).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .addresses import client_address


class RateFromSettings(SimpleRateThrottle):
    def get_rate(self):
        # DRF binds THROTTLE_RATES at import; read it per request so a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF would believe any X-Forwarded-For; ours trusts only TRUSTED_PROXY_COUNT proxies.
        return client_address(request)


class TokenThrottle(RateFromSettings):
    """Token requests per client address, signed in or not."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
