"""WSGI entry point; refuses to start when a system check reports an error."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbnsync.settings")
application = get_wsgi_application()

from django.core.management import call_command  # noqa: E402

call_command("check")  # raises SystemCheckError on pbnsync.E00x
