"""Background work of renewal delivery: solving a construction schedule (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def schedule_task(schedule_id: str) -> str:
    from gongzhi.delivery.services import schedule_run

    return str(schedule_run(schedule_id).status)
