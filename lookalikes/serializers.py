"""What the lookalikes API returns."""

from rest_framework import serializers


class SimilarTraitSerializer(serializers.Serializer):
    feature = serializers.CharField(help_text="The customer field compared, e.g. `industry`, `employees`.")
    label = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="The account's value; null when it has none (no data).")
    seed_value = serializers.CharField(
        allow_null=True, help_text="The seed's value (its most common one for several accounts); null: no data."
    )


class LookalikeSerializer(serializers.Serializer):
    external_id = serializers.CharField(source="customer.external_id")
    name = serializers.CharField(source="customer.name")
    similarity = serializers.IntegerField(help_text="0 to 100: the weighted share of the seed's traits it has.")
    because = SimilarTraitSerializer(
        many=True, help_text="The (up to) three traits that make it similar, biggest first."
    )
    unlike = SimilarTraitSerializer(allow_null=True, help_text="The main difference from the seed, or null.")


class SeedSerializer(serializers.Serializer):
    label = serializers.CharField()
    accounts = serializers.IntegerField(source="seed_accounts")


class LookalikePageSerializer(serializers.Serializer):
    seed = serializers.SerializerMethodField()
    model = serializers.IntegerField(source="model.pk", help_text="The similarity model (weights) that ranked them.")
    page = serializers.IntegerField(source="number")
    next_page = serializers.SerializerMethodField()
    results = LookalikeSerializer(many=True)

    def get_seed(self, page) -> dict:
        return {"label": page.seed.label, "accounts": page.seed_accounts}

    def get_next_page(self, page) -> int | None:
        return page.number + 1 if page.has_next else None
