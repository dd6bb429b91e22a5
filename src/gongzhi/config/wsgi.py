import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
application = get_wsgi_application()

from gongzhi.core.checks import log_development_secrets  # noqa: E402 - after Django is set up

log_development_secrets()
