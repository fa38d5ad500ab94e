"""Background tasks: Django's django.tasks and Wagtail 8's django-tasks backport share the
django-tasks-db queue in production."""

import pytest
from django.core.management import call_command
from django.tasks import task
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from wagtail.tasks import update_reference_index_task

from cms.models import HomePage

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def add(a, b):
    return a + b


def test_our_tasks_and_wagtails_run_through_the_database_worker(site_tree):
    with override_settings(TASKS=DATABASE_TASKS):
        ours = add.enqueue(2, 3)
        wagtails = update_reference_index_task.enqueue(
            "cms", "homepage", HomePage.objects.first().pk
        )
        assert DBTaskResult.objects.filter(status="READY").count() == 2
        call_command("db_worker", "--batch", verbosity=0)
        ours.refresh()
        assert ours.status == "SUCCESSFUL"
        assert ours.return_value == 5
        assert DBTaskResult.objects.get(id=wagtails.id).status == "SUCCESSFUL"
