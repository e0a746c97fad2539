from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self):
        from imports.kinds import import_kind_register

        from .import_kind import EventImport

        import_kind_register(EventImport())
