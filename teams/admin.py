from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Team, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "team", "role", "is_active"]
    list_filter = ["team", "role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Team and role", {"fields": ("team", "role")}),)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
