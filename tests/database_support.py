"""The test database, migrated once per run and cloned for each pytest-xdist worker.

Without xdist (`pytest` alone, the SQLite pass of `make test`) this is pytest-django's usual setup:
the test database is built from the migrations before the first test that needs it and dropped at
the end. With xdist on PostgreSQL (`pytest -n 2`, the PostgreSQL pass) the controller builds the
test database from the migrations once, before the workers start, and keeps it as a template; each
worker then copies it (CREATE DATABASE … TEMPLATE …, a file copy inside the server) instead of
running the migrations again, and drops its copy at its end; the controller drops the template
last. The migrations still run in every pass (the SQLite pass builds its in-memory database from
them), and `makemigrations --check` runs in `make test`.

SQLite under xdist (not used by the Makefile) falls back to each worker migrating its own
in-memory database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

TEMPLATE_KEY = "gongzhi_test_template"  # in xdist's workerinput: the template database's name
_template_config = pytest.StashKey[Any]()  # the controller's setup_databases() result, for teardown


def _is_controller(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def _on_postgresql() -> bool:
    from django.db import connections

    return connections["default"].vendor == "postgresql"


def _blocker(config: pytest.Config) -> Any:
    from pytest_django.plugin import blocking_manager_key

    return config.stash[blocking_manager_key]


def build_template(config: pytest.Config) -> None:
    """In the xdist controller, on PostgreSQL: migrate the test database once, before the workers start."""
    if not _is_controller(config) or not _on_postgresql():
        return
    from django.db import connections
    from django.test.utils import setup_databases

    with _blocker(config).unblock():
        config.stash[_template_config] = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        connections.close_all()  # PostgreSQL copies a template only while nobody is connected to it


def pass_template(config: pytest.Config, workerinput: dict[str, Any]) -> None:
    """Tell a starting worker the template's name (xdist's pytest_configure_node)."""
    if _template_config in config.stash:
        from django.db import connections

        workerinput[TEMPLATE_KEY] = connections["default"].settings_dict["NAME"]


def drop_template(config: pytest.Config) -> None:
    """In the controller, after the workers have dropped their copies."""
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
