from django.apps import AppConfig


class LookalikesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lookalikes"

    def ready(self):
        from customers.panels import customer_panel
        from customers.signals import customers_changed

        from . import receivers

        # A changed customer's vector follows by the path its scores take: a task sent once the change commits.
        customers_changed.connect(receivers.customers_changed_vectors, dispatch_uid="lookalikes-vectors-changed")
        customer_panel("similar")(receivers.customer_similar_panel)
