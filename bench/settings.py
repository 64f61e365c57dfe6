"""The project's settings plus the bare-stack baseline, served by the same gunicorn.

bench/harness.py sets the environment (production mode, PostgreSQL, the simulator).
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, MIDDLEWARE, REST_FRAMEWORK, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.urls"
# Outermost, so the count covers every query a request makes (session, user, view).
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]
# Production mode without collectstatic: {% static %} builds plain paths.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Abuse throttles stay in place (their cost is measured) but never refuse the load.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), "1000000/second"
    ),
}
# The accounts benchmark (bench/account_forms.py) signs people up and asks for resets and links:
# open sign-up, mail kept in memory (both branches of each form send one), limits lifted.
SIGNUP_POLICY = "open"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_RATE_LIMITS = {
    **ACCOUNT_RATE_LIMITS,  # noqa: F405
    "signup": "1000000/m/ip",
    "reset_password": "1000000/m/ip,1000000/m/key",
    "resend_confirmation": "1000000/m/ip,1000000/m/key",
}
