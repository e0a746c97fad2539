from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "industry", "country", "lifecycle_stage", "owner"]
    list_filter = ["lifecycle_stage", "industry", "region"]
    search_fields = ["name", "domain", "external_id"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    show_full_result_count = False
