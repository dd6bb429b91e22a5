import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
application = get_asgi_application()

from gongzhi.core.checks import log_development_secrets  # noqa: E402 - after Django is set up

log_development_secrets()
