import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from customers.services.seeding import customer_demo_seed
from feedback.demo import demo_feedback_ensure
from lookalikes.selectors import similarity_model_ready
from lookalikes.services import similarity_build_now
from rubrics.demo import demo_rubric_ensure, demo_scores_write
from teams.models import Role
from teams.services import DEMO_PEOPLE, demo_people_ensure
from workshops.demo import demo_workshop_ensure

DEMO_PASSWORD = "icp-demo"


class Command(BaseCommand):
    help = "Load demo people (one per role and team) and a deterministic demo customer base."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=5000, help="How many customers (default 5000).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the base already has customers (used by 'make run').",
        )
        parser.add_argument(
            "--skip-similar-accounts",
            action="store_true",
            help="Do not build the similar accounts' model (the benchmark builds and times it on its own).",
        )

    def handle(self, *args, customers, seed, if_empty, skip_similar_accounts, **options):
        if customers < 0:
            raise CommandError("--customers must be zero or more.")
        password = DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(16)
        people = demo_people_ensure(password=password)
        seeded = not (if_empty and Customer.objects.exists())
        if not seeded:
            self.stdout.write("Demo customers already loaded; 'make demo' reloads them.")
        else:
            owner_ids = [person.pk for person in people if person.role == Role.SALES_REP]
            started = time.perf_counter()
            count = customer_demo_seed(count=customers, seed=seed, owner_ids=owner_ids)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"Seeded {count:,} customers in {elapsed:.1f} s (seed {seed}).")
        version = demo_rubric_ensure()
        started = time.perf_counter()
        scored = demo_scores_write(version=version)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Scored {scored:,} customers by “{version.rubric}” v{version.number} in {elapsed:.1f} s.")
        if demo_workshop_ensure(profile=version.rubric.profile):
            self.stdout.write("Opened a demo workshop on the profile's pain points.")
        if answers := demo_feedback_ensure():
            self.stdout.write(f"Added demo feedback: {answers} survey answers, referrals and advocacy.")
        if not skip_similar_accounts and (seeded or similarity_model_ready() is None):
            self._build_similar_accounts()
        self._print_logins(password)

    def _build_similar_accounts(self):
        """Here and now (no worker needed), so that similar accounts answer from the first page a newcomer opens;
        a reloaded base gets a new model, since the old one's vectors went with the old customers."""
        started = time.perf_counter()
        model = similarity_build_now(reason="demo")
        elapsed = time.perf_counter() - started
        weights = "default weights"
        if any(weight["learned"] for weight in model.weights):
            weights = f"weights learned from {model.won:,} won and {model.lost:,} lost deals"
        self.stdout.write(f"Built the similar accounts of {model.accounts:,} customers ({weights}) in {elapsed:.1f} s.")

    def _print_logins(self, password):
        if not settings.DEBUG:
            self.stdout.write("Demo people have random passwords here (DEBUG is off): use 'Forgot password'.")
            return
        self.stdout.write(f"Demo logins (password for all: {password}):")
        for username, first_name, last_name, team, role in DEMO_PEOPLE:
            team_name = team.replace("-", " ").title()
            self.stdout.write(f"  {username:<12} {Role(role).label:<12} {team_name:<17} {first_name} {last_name}")
