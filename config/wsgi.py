"""WSGI entry point (gunicorn config.wsgi).

A production entry point: unless the environment says otherwise, DEBUG is off, so a bare
start with nothing configured stops with a message naming what is missing instead of
quietly serving development defaults (manage.py keeps the friendly development default).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
application = get_wsgi_application()
