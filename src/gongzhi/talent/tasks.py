"""Background tasks of the talent pool (django-tasks; the ORM backend runs them in
`gongzhi db_worker`, the test settings run them immediately)."""

from __future__ import annotations

import uuid

from django_tasks import task


@task()
def talent_import_task(import_id: str, language: str | None = None) -> str:
    """Run a queued Excel import of a pool; returns its final status."""
    from gongzhi.talent.excel.imports import talent_import_run

    return str(talent_import_run(import_id=uuid.UUID(import_id), language=language).status)
