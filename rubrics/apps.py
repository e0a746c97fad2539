from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from customers.panels import customer_panel
        from customers.signals import customers_changed
        from engagement.signals import engagement_changed

        from . import receivers
        from .models import Rubric

        # A changed customer: its scores' copies follow in the same transaction, its re-score after the commit.
        customers_changed.connect(receivers.customers_changed_rescore, dispatch_uid="rubrics-rescore-changed")
        # New events for some accounts: their engagement criteria read new counts, so they are re-scored after commit.
        engagement_changed.connect(receivers.engagement_changed_rescore, dispatch_uid="rubrics-rescore-engagement")
        # Scores are partitioned by rubric (score_tables.py): a rubric's partition comes and goes with it.
        post_save.connect(receivers.rubric_saved, sender=Rubric, dispatch_uid="rubrics-score-partition")
        post_delete.connect(receivers.rubric_deleted, sender=Rubric, dispatch_uid="rubrics-score-partition-drop")
        customer_panel("scores")(receivers.customer_scores_panel)
