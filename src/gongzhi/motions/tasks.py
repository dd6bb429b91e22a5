"""Background tasks of owners' motions (run by `gongzhi db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def motion_close_task(motion_id: int) -> str:
    """Close a motion at its closing time and publish the result (idempotent)."""
    from gongzhi.core.actors import SYSTEM
    from gongzhi.motions.models import Motion, MotionStatus
    from gongzhi.motions.services import motion_close

    motion = Motion.objects.get(pk=motion_id)
    if motion.status != MotionStatus.OPEN:
        return str(motion.status)
    motion_close(actor=SYSTEM, motion=motion)
    return "closed"
