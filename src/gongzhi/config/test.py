"""Settings for the test suite: the base settings, tasks run immediately, fast hashing."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from gongzhi.config.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads of each test run go to a directory of their own: `make test` runs the SQLite and the
# PostgreSQL passes side by side, and neither should see (or leave) the other's files under var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gongzhi-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
# Debug is off by default now (base settings); the test client and the live server keep serving
# assets from the finders as before, without a collectstatic run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No connection pool in the tests (GONGZHI_DB_POOL_MAX is for servers): pooled connections, opened in
# the background and kept, were still open when the test database was dropped ("being accessed by
# other users"). Without it each thread's connection is closed when the thread or the test is done.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405 - from the base settings
