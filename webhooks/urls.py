from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("<int:rubric_id>/", views.webhook_detail, name="detail"),
    path("<int:rubric_id>/save/", views.webhook_save_view, name="save"),
    path("<int:rubric_id>/secret/rotate/", views.webhook_secret_rotate_view, name="rotate_secret"),
    path("<int:rubric_id>/test/", views.webhook_test_view, name="send_test"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:delivery_id>/retry/", views.delivery_retry_view, name="retry"),
]
