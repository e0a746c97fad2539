import factory

from customers.models import Customer, LifecycleStage


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CRM-{n:06d}")
    name = factory.Faker("company")
    domain = factory.Sequence(lambda n: f"company{n}.example")
    industry = "Software"
    country = "Germany"
    region = "EMEA"
    employees = 250
    annual_revenue = 40_000_000
    lifecycle_stage = LifecycleStage.CUSTOMER
    website_visits_30d = 4
    email_opens_30d = 2
    email_clicks_30d = 1
    social_engagements_30d = 0
    tenure_months = 18
    clv = 120_000
    nps = 9
