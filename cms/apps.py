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
