"""Background work of billing (django-tasks; the test settings run tasks immediately)."""

from __future__ import annotations

from django_tasks import task

from oppvekst.billing.services import invoice_run_compute


@task()
def compute_invoice_run(run_id: int) -> int:
    """Compute one queued invoice run; progress is written to the run row as it goes."""
    run = invoice_run_compute(run_id=run_id)
    return 0 if run is None else run.line_count
