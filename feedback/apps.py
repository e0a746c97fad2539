from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self):
        from imports.kinds import import_kind_register

        from .import_kind import AnswerImport

        import_kind_register(AnswerImport())
