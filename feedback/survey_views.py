"""The public survey page: a customer answers through their personal link, without an account.

The signed token in the address is the only key: it names one invitation, and
the page shows that survey's question and, at most, the customer's own name.
Every request counts against a limit per IP address and per link (429 past it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ops.forms import service_errors_add

from .forms import SCORES, AnswerForm
from .links import LinkExpired, LinkInvalid, invitation_from_token
from .models import Response
from .ratelimit import over_limit
from .services.answers import AnswerLocked, answer_editable_until, response_submit


def _problem(request, *, title: str, message: str, status: int):
    response = render(request, "feedback/survey_problem.html", {"title": title, "message": message}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _rate_limited(request, token: str):
    window = settings.FEEDBACK_RATE_LIMIT_WINDOW_SECONDS
    ip = request.META.get("REMOTE_ADDR", "")
    by_ip = over_limit(key=f"ip:{ip}", limit=settings.FEEDBACK_RATE_LIMIT_PER_IP, window_seconds=window)
    by_link = over_limit(key=f"link:{token}", limit=settings.FEEDBACK_RATE_LIMIT_PER_LINK, window_seconds=window)
    if not (by_ip or by_link):
        return None
    minutes = max(1, window // 60)
    response = _problem(
        request,
        title="Too many attempts",
        message=f"This page was opened or sent too often in a short time. Please try again in {minutes} minutes.",
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request, token):
    if limited := _rate_limited(request, token):
        return limited
    try:
        invitation = invitation_from_token(token)
    except LinkExpired:
        return _problem(
            request,
            title="This link has expired",
            message="Survey links are valid for a limited time, and this one is past it. Nothing was recorded. "
            "If you would still like to answer, reply to the email that brought you here.",
            status=410,
        )
    except LinkInvalid:
        return _problem(
            request,
            title="This link does not work",
            message="The address is not a valid survey link: it may have been cut short or mistyped. "
            "Nothing was recorded. Open the link from your email again, or copy all of it.",
            status=404,
        )
    answer = Response.objects.filter(invitation=invitation).first()
    locked = answer is not None and timezone.now() > answer_editable_until(answer)
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if locked:
            status = 409
        elif form.is_valid():
            try:
                response_submit(invitation=invitation, **form.cleaned_data)
            except AnswerLocked:
                status = 409
                locked = True
            except ValidationError as error:
                service_errors_add(form, error)
                status = 400
            else:
                return redirect(request.path)
        else:
            status = 400
        answer = Response.objects.filter(invitation=invitation).first()
    else:
        initial = {"score": answer.score, "comment": answer.comment} if answer else None
        form = AnswerForm(initial=initial)
    context = {
        "survey": invitation.survey,
        "customer_name": invitation.customer.name,
        "form": form,
        "scores": SCORES,
        "chosen": str(form["score"].value() if form["score"].value() is not None else ""),
        "answer": answer,
        "locked": locked,
        "editable_until": answer_editable_until(answer) if answer else None,
    }
    response = render(request, "feedback/survey.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
