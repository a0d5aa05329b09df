"""WSGI entry point (gunicorn giamsat.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
application = get_wsgi_application()
