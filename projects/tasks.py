"""Background work of the back-office: exports of large listings."""

from django.tasks import task

from projects.exports import export_run


@task()
def run_export(job_id):
    return export_run(job_id=job_id)
