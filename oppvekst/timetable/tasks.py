"""Background tasks of the timetable app (django-tasks; `make run` runs a db_worker)."""

from __future__ import annotations

from django_tasks import task

from oppvekst.timetable.services import solve_job_run


@task()
def solve_timetable(job_id: int) -> str:
    """Solve one SolveJob; progress and the result are written to the job row."""
    return solve_job_run(job_id)
