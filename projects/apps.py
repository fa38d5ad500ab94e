from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Networks and projects"

    def ready(self):
        # The public home's figures are cached (selectors.network_figures): any change to
        # what they count clears them.
        from django.db.models.signals import post_delete, post_save

        from projects.models import Call, Centre, Network
        from projects.selectors import network_figures_changed

        for model in (Centre, Network, Call):
            for signal in (post_save, post_delete):
                signal.connect(
                    network_figures_changed,
                    sender=model,
                    dispatch_uid=f"projects.network_figures.{signal.__class__.__name__}"
                    f".{id(signal)}.{model.__name__}",
                )
