from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self):
        from imports.kinds import import_kind_register

        from .import_kind import CustomerImport

        import_kind_register(CustomerImport())
