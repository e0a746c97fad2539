"""A rubric's outgoing webhook: its URL, on or off, its secret, a test event and the delivery log. Admins only."""

import json

from celery import current_app
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rubrics.models import Rubric
from teams.access import role_required
from teams.models import Role

from .forms import WebhookForm
from .models import Delivery, DeliveryStatus, Webhook
from .selectors import deliveries_waiting, delivery_counts, delivery_log, rubric_webhooks
from .services.webhooks import (
    DeliveryNotRetryable,
    delivery_retry,
    webhook_save,
    webhook_secret_rotate,
    webhook_test_send,
)


@role_required(Role.ADMIN)
@require_GET
def webhook_list(request):
    return render(request, "webhooks/webhook_list.html", {"rows": rubric_webhooks()})


def _detail_page(request, rubric: Rubric, form: WebhookForm | None = None, status: int = 200):
    webhook = Webhook.objects.filter(rubric=rubric).first()
    if form is None:
        initial = {"url": webhook.url, "is_active": webhook.is_active} if webhook else None
        form = WebhookForm(initial=initial)
    form.helper.form_action = reverse("webhooks:save", kwargs={"rubric_id": rubric.pk})
    context = {
        "rubric": rubric,
        "webhook": webhook,
        "form": form,
        "page": delivery_log(webhook, request.GET.get("page")) if webhook else None,
        "counts": delivery_counts([webhook.pk])[webhook.pk] if webhook else {},
        "waiting": deliveries_waiting(webhook) if webhook else 0,
        "in_process": _tasks_in_process(),
        "previous_secret_signs": bool(webhook and len(webhook.signing_secrets()) > 1),
    }
    response = render(request, "webhooks/webhook_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page shows the secret
    return response


def _tasks_in_process() -> bool:
    return bool(current_app.conf.task_always_eager)


def _rubric(rubric_id) -> Rubric:
    return get_object_or_404(Rubric.objects.select_related("profile"), pk=rubric_id)


@role_required(Role.ADMIN)
@require_GET
def webhook_detail(request, rubric_id):
    return _detail_page(request, _rubric(rubric_id))


@role_required(Role.ADMIN)
@require_POST
def webhook_save_view(request, rubric_id):
    rubric = _rubric(rubric_id)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, rubric, form=form, status=400)
    existed = Webhook.objects.filter(rubric=rubric).exists()
    webhook = webhook_save(rubric=rubric, user=request.user, **form.cleaned_data)
    state = "on" if webhook.is_active else "off"
    if existed:
        messages.success(request, f"The webhook is saved and {state}.")
    else:
        messages.success(
            request, f"The webhook is set up and {state}. Give its secret to your CRM to check signatures."
        )
    return redirect("webhooks:detail", rubric_id=rubric.pk)


def _webhook(rubric_id) -> Webhook:
    return get_object_or_404(Webhook.objects.select_related("rubric"), rubric_id=rubric_id)


@role_required(Role.ADMIN)
@require_POST
def webhook_secret_rotate_view(request, rubric_id):
    webhook_secret_rotate(webhook=_webhook(rubric_id))
    messages.success(request, "A new secret is in use. For 24 hours requests carry a signature with the old one too.")
    return redirect("webhooks:detail", rubric_id=rubric_id)


@role_required(Role.ADMIN)
@require_POST
def webhook_test_view(request, rubric_id):
    delivery = webhook_test_send(webhook=_webhook(rubric_id))
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.DELIVERED:
        messages.success(request, f"The test event was delivered (HTTP {delivery.last_status_code}).")
    elif delivery.status == DeliveryStatus.FAILED:
        messages.error(request, f"The test event failed: {delivery.last_error}")
    else:
        messages.info(request, "A test event is on its way; its outcome appears in the log below.")
    return redirect("webhooks:detail", rubric_id=rubric_id)


def _delivery(delivery_id) -> Delivery:
    return get_object_or_404(Delivery.objects.select_related("webhook__rubric__profile"), pk=delivery_id)


def _delivery_page(request, delivery: Delivery, status: int = 200):
    context = {
        "delivery": delivery,
        "rubric": delivery.webhook.rubric,
        "attempts": delivery.attempts_made.all(),
        "payload_text": json.dumps(delivery.payload, indent=2, ensure_ascii=False),
    }
    return render(request, "webhooks/delivery_detail.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def delivery_detail(request, delivery_id):
    return _delivery_page(request, _delivery(delivery_id))


@role_required(Role.ADMIN)
@require_POST
def delivery_retry_view(request, delivery_id):
    delivery = _delivery(delivery_id)
    try:
        delivery = delivery_retry(delivery=delivery)
    except DeliveryNotRetryable as refusal:
        messages.error(request, str(refusal))
        return _delivery_page(request, delivery, status=409)
    messages.success(request, "The delivery is being sent again; its attempts appear below.")
    return redirect("webhooks:delivery", delivery_id=delivery.pk)
