from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"

    def ready(self):
        # runserver builds the template engines in two threads at once (its system checks, and the
        # autoreloader watching template folders); loading DRF's template tags imports psycopg, and
        # psycopg imported by two threads at once fails now and then with a half-initialised module.
        # Imported here, before any thread starts, it is already whole when they get to it.
        import psycopg  # noqa: F401
