"""ASGI entry point (uvicorn or gunicorn's uvicorn worker: config.asgi:application).

A production entry point, like config/wsgi.py: DEBUG is off unless the environment says
otherwise, so a start with nothing configured stops with a message naming what is missing.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
application = get_asgi_application()
