"""Settings for ICP Workshop, read from the environment (see .env.example).

With nothing set, the app runs on the embedded default: a SQLite file, Celery
tasks run in-process, a development secret key. Production sets DEBUG=False
and must then provide SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(os.environ.get("ENV_FILE", BASE_DIR / ".env"), overwrite=False)
# A variable left empty (as .env.example leaves some) means "use the default", not "the empty string".
for _name in [name for name, value in os.environ.items() if value == "" and name.isupper()]:
    del os.environ[_name]

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for forms rendered with TemplatesSetting (leads/forms.py)
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ops",
    "teams",
    "imports",
    "home",
    "profiles",
    "customers",
    "engagement",
    "outcomes",
    "rubrics",
    "leads",
    "feedback",
    "webhooks",
    "workshops",
    "lookalikes",
    "routing",
    "analytics",
]

MIDDLEWARE = [
    # Before all: a workshop's live poll whose region has not changed gets its 304 here (workshops/live.py).
    "workshops.live.LivePollMiddleware",
    # Then every answer (a redirect or an error too) carries X-Request-ID and gets its access log line.
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the whole body: an upload over the limit is refused unread.
    "home.middleware.UploadSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view meeting an unreachable database or Redis answers 503 saying which, never 500 (ops/outages.py).
    "ops.middleware.ServiceUnavailableMiddleware",
    # After messages and authentication: tells the signed-in person what waits when a task could not be sent.
    "ops.middleware.DeferredSendsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "icpsite.urls"
WSGI_APPLICATION = "icpsite.wsgi.application"
ASGI_APPLICATION = "icpsite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.navigation.navigation",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# A connection kept across requests (CONN_MAX_AGE seconds) is checked before a request uses it, so after a
# PostgreSQL restart each process reconnects by itself; a server that does not answer fails the connection
# (a 503 page) within DATABASE_CONNECT_TIMEOUT seconds instead of holding the request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite ignores the INCLUDE columns of the lead list's indexes (rubrics.Score); PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Redis: the Celery broker, result backend and cache. Unset, tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # Redis down, a cache call fails at once (a refused connection) or within a second (no answer); what reads the
    # cache either does without it (import progress, survey rate limits) or answers 503.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_EXPIRES = 60 * 60
CELERY_TIMEZONE = "UTC"
# What happens when a part fails (docs/operations.md, "When a part fails"); tests/test_celery_settings.py holds
# these to it.
# - A task is acknowledged once it has run (acks late), so a worker that dies mid-task leaves the message in
#   Redis; a task whose pool process is killed (the OOM killer, say) goes back to the queue at once (reject on
#   worker lost). Each process reserves one message at a time (prefetch 1): a dying worker strands one task.
#   Every task may therefore run twice, and is written for it: it claims its work (a conditional UPDATE, a row
#   lock) and finds nothing left to do the second time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# - No task runs longer than the hard limit (the soft one lets it stop cleanly first); work is cut into
#   tasks of seconds (re-score chunks), the longest being a whole import.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# - Redis delivers a message again once it has gone unacknowledged for the visibility timeout, so that must
#   stay well above the hard limit, or a task still running would be started a second time beside itself.
#   A worker killed outright (SIGKILL, its machine lost) would leave its task waiting that hour: instead each
#   worker that starts sends the interrupted work again at once (ops.tasks: one worker_ready handler runs every
#   app's resumer; a task sent twice does its work once).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
# - Retries are bounded: a task retries a database error a few times (max_retries on each task, 3 unless it
#   says otherwise), then records the failure on its job. Sending a task retries 3 times within about a
#   second, then fails, so a request never hangs on a Redis that is down: requests send through
#   ops.outages.task_send_on_commit, which logs the failure and leaves the job's row in its waiting state.
#   The result store gives up as soon (its default is 20 tries, about 20 s).
CELERY_TASK_PUBLISH_RETRY = True
_SEND_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = _SEND_RETRY_POLICY
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _SEND_RETRY_POLICY}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# - A worker or beat that loses Redis keeps reconnecting (2, 4, 6... up to 30 s apart) and carries on when it
#   is back; a worker gives up after 100 tries (about 45 minutes) and exits, for its supervisor to restart it.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# - Jobs whose task was never sent (Redis was down when they were saved) or was lost are sent again: every
#   STUCK_JOB_CHECK_SECONDS, a re-score job still queued STUCK_JOB_SECONDS after it was created, a running one
#   without a chunk done for longer than the hard time limit, and an import under way that no worker holds
#   (see the resend-stuck-work entry below). Sending one twice is harmless.
# A workshop's live regions wait in the server, up to this long, for a change (workshops/live_wait.py): needs a
# server that runs requests in threads (the Procfile's gunicorn gthread workers, runserver); 0 turns it off.
# At most LIVE_WAIT_SLOTS requests of a process wait at once (the others answer at once): keep it below the
# Procfile's WEB_THREADS (gunicorn threads per worker), so that waiting requests never take every thread.
LIVE_WAIT_SECONDS = env.float("LIVE_WAIT_SECONDS", default=20)
WEB_THREADS = env.int("WEB_THREADS", default=40)
LIVE_WAIT_SLOTS = env.int("LIVE_WAIT_SLOTS", default=WEB_THREADS * 3 // 4)
STUCK_JOB_SECONDS = env.int("STUCK_JOB_SECONDS", default=60)
STUCK_JOB_CHECK_SECONDS = env.float("STUCK_JOB_CHECK_SECONDS", default=60)
# Two queues: "celery" for what people wait on (a changed customer re-scored within a second, imports,
# sentiment, webhooks, digests) and "bulk" for re-scoring the whole base after a publish or at night, and for
# rebuilding the value profile of the base the criterion evidence reads (rubrics/value_profile.py).
# The Procfile gives "bulk" a worker of its own, one process at a lower CPU priority, so a publish can
# neither delay the quick tasks nor take every core from the web. A worker started without --queues
# (tests, benchmarks, a one-box install) takes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("bulk"))
CELERY_TASK_ROUTES = {
    "rubrics.tasks.rescore_job_start": {"queue": "bulk"},
    "rubrics.tasks.rescore_chunk": {"queue": "bulk"},
    "rubrics.tasks.rescore_nightly": {"queue": "bulk"},
    "rubrics.tasks.value_profile_build": {"queue": "bulk"},
}
# The niceness of the bulk worker's PostgreSQL backend while it re-scores (ops/priority.py), as the Procfile's
# `nice -n 10` is the bulk worker's own: where the database runs on this machine and may be reniced. 0: leave it.
BULK_DATABASE_NICE = env.int("BULK_DATABASE_NICE", default=10)
# Customer ids per re-score task: a few seconds of work, far below the broker's visibility timeout.
RESCORE_CHUNK_SIZE = env.int("RESCORE_CHUNK_SIZE", default=20_000)
# A publish's chunks only add rows to a table of their own (rubrics/score_tables.py): bigger, so fewer tasks.
RESCORE_FILL_CHUNK_SIZE = env.int("RESCORE_FILL_CHUNK_SIZE", default=100_000)
# The daily digest of newly qualified leads goes out at this hour (UTC, as every periodic job below).
LEAD_DIGEST_HOUR = env.int("LEAD_DIGEST_HOUR", default=7)
# Engagement events (engagement/): days of events kept; older monthly partitions and daily counts are dropped.
ENGAGEMENT_RETENTION_DAYS = env.int("ENGAGEMENT_RETENTION_DAYS", default=400)
# Every periodic job is declared here, and nowhere else.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "teams.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    # Catches up on anything a change missed; an unchanged score is not written again.
    "rescore-published-rubrics": {
        "task": "rubrics.tasks.rescore_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Each sales rep's newly qualified leads, by email; a second run the same day sends nothing.
    "send-lead-digests": {
        "task": "leads.tasks.lead_digests_send",
        "schedule": crontab(hour=LEAD_DIGEST_HOUR, minute=0),
    },
    # Emails admins and facilitators once when a profile's review date is reached.
    "remind-profile-reviews": {
        "task": "profiles.tasks.profile_reviews_remind",
        "schedule": crontab(hour=6, minute=0),
    },
    # Turns new qualifications into webhook deliveries and sends those due (first tries and retries).
    "dispatch-webhooks": {
        "task": "webhooks.tasks.webhooks_dispatch",
        "schedule": crontab(minute="*"),
    },
    # The Customer Success team's weekly list of ICP accounts at risk; a second run the same week sends nothing.
    "send-at-risk-digests": {
        "task": "feedback.tasks.risk_digests_send",
        "schedule": crontab(day_of_week="mon", hour=7, minute=30),
    },
    # What separates won from lost deals, learned again, and every account's similarity vector built with it.
    "relearn-similar-accounts": {
        "task": "lookalikes.tasks.similarity_relearn_nightly",
        "schedule": crontab(hour=3, minute=45),
    },
    # Newly qualified leads without an owner get one by the assignment rules (routing/); scoring also starts it.
    "route-new-leads": {
        "task": "routing.tasks.leads_route_new",
        "schedule": crontab(minute="*"),
    },
    # Leads nobody touched within their rule's hours (ROUTING_SLA_HOURS by default) go to the next rep.
    "reassign-stale-leads": {
        "task": "routing.tasks.leads_reassign_stale",
        "schedule": crontab(minute="*/10"),
    },
    # The engagement event log: next months' partitions made, those past ENGAGEMENT_RETENTION_DAYS dropped.
    "maintain-event-partitions": {
        "task": "engagement.tasks.event_partitions_maintain",
        "schedule": crontab(hour=1, minute=20),
    },
    # Work whose task was never sent (Redis was down) or was lost (a worker killed) is sent again, of every
    # kind (ops.jobs.work_resumer): re-score jobs, imports, comments without sentiment, ...
    "resend-stuck-work": {
        "task": "ops.tasks.work_resume_all",
        "schedule": STUCK_JOB_CHECK_SECONDS,
    },
}

# Lead routing (routing/): a lead assigned by a rule that nobody touches (no disposition, note or claim) for this
# many hours goes to the next rep, unless its rule sets its own hours.
ROUTING_SLA_HOURS = env.int("ROUTING_SLA_HOURS", default=24)

# Outgoing webhooks (webhooks/): a failed delivery is tried again after base, 2 x base, 4 x base... seconds,
# WEBHOOK_MAX_ATTEMPTS times in all, then marked failed for an admin to retry.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Leads per delivery: a publish that qualifies 300,000 customers makes 3,000 requests, not 300,000.
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=100)
# Plain http:// webhook URLs are refused unless this is on (by default only with DEBUG).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
# Webhooks go only to public addresses (not loopback, private, link-local or reserved ones), checked when one
# is saved and again at each send, after resolving the name. An on-premises CRM on the private network needs
# this on; it is off by default, even in development.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
# The address people open the site at, e.g. https://icp.example.com: links sent outside (webhooks) start with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# Not set in development: a link made while answering a request (a download of survey links) takes the request's
# own host and port instead of the guess above (`make run PORT=8101` sets SITE_URL itself for emails).
SITE_URL_FROM_REQUEST = DEBUG and "SITE_URL" not in os.environ

# Feedback (feedback/): personal survey links, their edit window and rate limits, and what puts an ICP account at risk.
FEEDBACK_LINK_MAX_AGE_DAYS = env.int("FEEDBACK_LINK_MAX_AGE_DAYS", default=30)
FEEDBACK_EDIT_WINDOW_HOURS = env.int("FEEDBACK_EDIT_WINDOW_HOURS", default=24)
FEEDBACK_RATE_LIMIT_PER_IP = env.int("FEEDBACK_RATE_LIMIT_PER_IP", default=60)
FEEDBACK_RATE_LIMIT_PER_LINK = env.int("FEEDBACK_RATE_LIMIT_PER_LINK", default=20)
FEEDBACK_RATE_LIMIT_WINDOW_SECONDS = env.int("FEEDBACK_RATE_LIMIT_WINDOW_SECONDS", default=600)
FEEDBACK_RISK_SENTIMENT_BELOW = env.int("FEEDBACK_RISK_SENTIMENT_BELOW", default=-5)
FEEDBACK_RISK_ACTIVE_DAYS_AT_MOST = env.int("FEEDBACK_RISK_ACTIVE_DAYS_AT_MOST", default=5)

AUTH_USER_MODEL = "teams.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes checks every sign-in first: after LOGIN_FAILURE_LIMIT wrong passwords for one username from
# one IP address, that pair is refused (the lockout page, 429) until LOGIN_LOCKOUT_MINUTES have passed
# since the last attempt; each further attempt meanwhile starts the wait again. A good sign-in before the
# limit forgets the failures. API tokens never go through this. Behind a proxy REMOTE_ADDR is the proxy's,
# so the lockout is then per username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "teams.views.login_locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Django's English formats ("Dec. 6, 2026, 2:05 p.m.") give way to the product's one (icpsite/formats/en).
FORMAT_MODULE_PATH = ["icpsite.formats"]

if DEBUG:
    # Static files come from the app folders in development; STATIC_ROOT is for collectstatic.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# collectstatic compresses (gzip and brotli) only the hashed names the pages link to, not also each file's unhashed
# copy, and not the source maps a browser fetches only with its developer tools open: that took a minute of the
# deploy (and of every test and benchmark that starts the stack), for files nobody is served compressed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Uploaded files (customer imports). Kept out of the static files, never served directly.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Largest file accepted for import (customers, feedback answers): a multipart request declaring more (plus room for
# the form's own fields) is refused with 413 before its body is read (home.middleware.UploadSizeLimitMiddleware),
# and the import forms check the size and the type (.csv or .xlsx, by name and by content) again.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# A request body other than files (form fields, JSON) above this is refused (400); files are not counted.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An uploaded file above this goes to a temporary file on disk rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "teams.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested too deeply for Python's parser is a 400 on every endpoint (ops/api.py).
    "DEFAULT_PARSER_CLASSES": [
        "ops.api.NestingSafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ICP Workshop API",
    "DESCRIPTION": "Keep the customer base in step with your CRM.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set that several serializers use (customers' lifecycle_stage, leads' stage).
    "ENUM_NAME_OVERRIDES": {"LifecycleStageEnum": "customers.models.LifecycleStage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ICP Workshop <noreply@localhost>")

# Production hardening: on by default whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp), in development too: only our own files run, nothing inline (no <script>
# blocks, no onclick=, no style= attributes, no eval: htmx's eval is off in static/js/htmx-setup.js). A page
# that needs an exception says so with csp.decorators.csp_update, next to its view.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the small SVG icons inside Bootstrap's stylesheet (and Swagger UI's).
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Logs go to stdout, each record with its request id (ops/): one JSON object per line in production,
# plain lines in development. The web process writes one access line per request (logger ops.access),
# so runserver's own request lines are left out; workers and beat log through this too (ops/celery.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "ops.logs.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes: failures and lockouts are warnings; its INFO lines (each sign-in, each clean-up) are noise.
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
