"""ASGI entry point (gunicorn's uvicorn worker, deploy/gunicorn-live.conf.py; or uvicorn).

A production entry point, like config/wsgi.py: DEBUG is off unless the environment says
otherwise, so a start with nothing configured stops with a message naming what is missing.
It serves the long waits: live updates (/events/) and synchronous gateway calls
(/luma/videos), each a coroutine; WEB_SERVER=asgi sizes the settings for that.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("WEB_SERVER", "asgi")
application = get_asgi_application()
