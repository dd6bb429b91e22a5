"""Background tasks of the elevator registry (django-tasks; the ORM backend runs them in
`gongzhi db_worker`, the test settings run them immediately)."""

from __future__ import annotations

import uuid

from django_tasks import task


@task()
def registry_import_task(import_id: str, language: str | None = None) -> str:
    """Run a queued registry import; returns its final status."""
    from gongzhi.elevators.registry import registry_import_run

    return str(registry_import_run(import_id=uuid.UUID(import_id), language=language).status)
