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

        from cms.private_cache import install_on

        connection_created.connect(install_on, dispatch_uid="private_page_cache_writes")
