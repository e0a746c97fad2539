from django.apps import AppConfig

from .heap import startup_objects_freeze


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self):
        # Every app's models are imported before the first ready() runs: the bulk of what a process keeps.
        startup_objects_freeze()
