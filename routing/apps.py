from django.apps import AppConfig


class RoutingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "routing"

    def ready(self):
        from leads.signals import lead_owner_changed
        from rubrics.signals import qualifications_changed

        from . import receivers

        # New qualifications are routed by the worker; an owner set by hand (a claim) is logged.
        qualifications_changed.connect(receivers.qualifications_route, dispatch_uid="routing-route")
        lead_owner_changed.connect(receivers.lead_owner_changed_log, dispatch_uid="routing-owner-log")
