from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"

    def ready(self):
        from django.utils.autoreload import file_changed

        from .cards import cards_forget_on_template_change

        # runserver keeps its process when a template changes: the cards drawn with the old one go too.
        file_changed.connect(cards_forget_on_template_change, dispatch_uid="workshops-cards")
