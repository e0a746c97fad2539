from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"

    def ready(self):
        from customers.panels import customer_panel
        from customers.signals import customers_changed
        from engagement.signals import engagement_changed

        from . import receivers

        # A changed customer: its scores' copies follow in the same transaction, its re-score after the commit.
        customers_changed.connect(receivers.customers_changed_rescore, dispatch_uid="rubrics-rescore-changed")
        # New events for some accounts: their engagement criteria read new counts, so they are re-scored after commit.
        engagement_changed.connect(receivers.engagement_changed_rescore, dispatch_uid="rubrics-rescore-engagement")
        customer_panel("scores")(receivers.customer_scores_panel)
