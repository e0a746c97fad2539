from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self):
        from rubrics.signals import qualifications_changed

        from .services.dispatch import webhooks_dispatch_on_qualifications

        # New qualifications go out to the rubric's CRM: scoring announces them, it does not know this app.
        qualifications_changed.connect(webhooks_dispatch_on_qualifications, dispatch_uid="webhooks-dispatch")
