"""The test database, migrated once per run and copied for each pytest-xdist worker.

Without xdist (`pytest` alone) this is pytest-django's usual setup: the test database is built from
the migrations before the first test that needs it and dropped at the end. With xdist (`pytest -n 2`,
both passes of `make test`) the controller builds the test database from the migrations once, before
the workers start, and keeps it as a template:

- on PostgreSQL, a template database: each worker copies it (CREATE DATABASE … TEMPLATE …, a file
  copy inside the server) and drops its copy at its end; the controller drops the template last;
- on SQLite, a file: the controller migrates its in-memory database and writes it to a file with
  SQLite's backup API; each worker reads that file into its own in-memory database the same way
  (milliseconds, where migrating takes about ten seconds); the controller deletes the file last.

The migrations still run in every pass, once, and `makemigrations --check` runs in `make test`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

SQLITE_TEMPLATE_KEY = "gongzhi_test_sqlite_template"  # in xdist's workerinput: the migrated file's path
TEMPLATE_KEY = "gongzhi_test_template"  # in xdist's workerinput: the template database's name
_template_config = pytest.StashKey[Any]()  # the controller's setup_databases() result, for teardown


def _is_controller(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def _on_postgresql() -> bool:
    from django.db import connections

    return connections["default"].vendor == "postgresql"


def _on_sqlite() -> bool:
    from django.db import connections

    return connections["default"].vendor == "sqlite"


_sqlite_template = pytest.StashKey[str]()  # the controller's migrated SQLite file


def _blocker(config: pytest.Config) -> Any:
    from pytest_django.plugin import blocking_manager_key

    return config.stash[blocking_manager_key]


def build_template(config: pytest.Config) -> None:
    """In the xdist controller: migrate the test database once, before the workers start."""
    if not _is_controller(config):
        return
    from django.db import connections
    from django.test.utils import setup_databases

    if _on_sqlite():
        _build_sqlite_template(config)
        return
    if not _on_postgresql():
        return
    with _blocker(config).unblock():
        config.stash[_template_config] = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        connections.close_all()  # PostgreSQL copies a template only while nobody is connected to it


def _build_sqlite_template(config: pytest.Config) -> None:
    import sqlite3
    import tempfile
    from pathlib import Path

    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    path = str(Path(tempfile.mkdtemp(prefix="gongzhi-test-")) / "migrated.sqlite3")
    with _blocker(config).unblock():
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        connection = connections["default"]
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        teardown_databases(old, verbosity=0)
    config.stash[_sqlite_template] = path


def pass_template(config: pytest.Config, workerinput: dict[str, Any]) -> None:
    """Tell a starting worker the template's name (xdist's pytest_configure_node)."""
    if _sqlite_template in config.stash:
        workerinput[SQLITE_TEMPLATE_KEY] = config.stash[_sqlite_template]
    if _template_config in config.stash:
        from django.db import connections

        workerinput[TEMPLATE_KEY] = connections["default"].settings_dict["NAME"]


def drop_template(config: pytest.Config) -> None:
    """In the controller, after the workers have dropped their copies."""
    if _sqlite_template in config.stash:
        import shutil
        from pathlib import Path

        shutil.rmtree(Path(config.stash[_sqlite_template]).parent, ignore_errors=True)
        del config.stash[_sqlite_template]
    if _template_config not in config.stash:
        return
    from django.test.utils import teardown_databases

    with _blocker(config).unblock():
        teardown_databases(config.stash[_template_config], verbosity=0)
    del config.stash[_template_config]


def setup_test_database(request: pytest.FixtureRequest, blocker: Any) -> Iterator[None]:
    """The body of the session fixture `django_db_setup` (tests/conftest.py)."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    workerinput = getattr(request.config, "workerinput", {})
    if SQLITE_TEMPLATE_KEY in workerinput:
        yield from _copy_sqlite_template(workerinput[SQLITE_TEMPLATE_KEY], blocker)
        return
    template = workerinput.get(TEMPLATE_KEY)
    if template is None:  # pytest-django's own way: migrate here
        from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

        if request.config.getvalue("nomigrations"):
            _disable_migrations()
        aliases, serialized = _get_databases_for_setup(request.session.items)
        keepdb = bool(request.config.getvalue("reuse_db")) and not request.config.getvalue("create_db")
        with blocker.unblock():
            cfg = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized,
                keepdb=keepdb,
            )
        yield
        if not keepdb:
            with blocker.unblock():
                teardown_databases(cfg, verbosity=request.config.option.verbose)
        return
    connection = connections["default"]
    original_name = connection.settings_dict["NAME"]
    suffix = workerinput["workerid"]
    with blocker.unblock():
        connection.close()
        connection.settings_dict["NAME"] = template
        connection.creation.clone_test_db(suffix=suffix, verbosity=0, keepdb=False)
        copy = connection.creation.get_test_db_clone_settings(suffix)
        connection.settings_dict.update(copy)
        connection.close()
    yield
    with blocker.unblock():
        connection.close()
        connection.creation._destroy_test_db(copy["NAME"], verbosity=0)
        connection.settings_dict["NAME"] = original_name


def _copy_sqlite_template(path: str, blocker: Any) -> Iterator[None]:
    """In an xdist worker on SQLite: the in-memory test database, read from the controller's file."""
    import sqlite3

    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    original_name = connection.settings_dict["NAME"]
    with blocker.unblock():
        connection.close()
        test_name = connection.creation._get_test_db_name()
        assert connection.creation.is_in_memory_db(test_name), "the SQLite pass copies into an in-memory database"
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = test_name
        connection.ensure_connection()  # kept open until the worker ends: the database lives as long
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    yield
    with blocker.unblock():
        connection.close()
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = original_name
