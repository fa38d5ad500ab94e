from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"

    def ready(self):
        from cms.accounts import signals  # noqa: F401  (connects the receivers)
        from cms.navigation import connect_signals

        connect_signals()
        from cms.routing import install

        install()  # Wagtail's site and home-page lookups from the cache
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_save

        from cms.private_cache import install_on

        connection_created.connect(install_on, dispatch_uid="private_page_cache_writes")
        # The public pages follow the workflow (cms.sync): a project's after each transition,
        # a call's after each save.
        from cms import sync
        from projects.models import Call
        from workflow.signals import project_changed

        project_changed.connect(sync.on_project_changed, dispatch_uid="cms.sync.project")
        post_save.connect(sync.on_call_saved, sender=Call, dispatch_uid="cms.sync.call")
