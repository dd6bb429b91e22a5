"""Production settings: the base settings hardened for `manage.py check --deploy`.

Secrets come from the environment only; the process refuses to start without them.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from gongzhi.config.settings import *  # noqa: F403
from gongzhi.config.settings import env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("GONGZHI_SECRET_KEY must be set to at least 50 random characters.")
OWNER_ID_PEPPER = os.environ.get("GONGZHI_OWNER_ID_PEPPER", "")
if not OWNER_ID_PEPPER:
    raise ImproperlyConfigured("GONGZHI_OWNER_ID_PEPPER must be set.")
ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("GONGZHI_CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("GONGZHI_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
