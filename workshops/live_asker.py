"""Who asks a woken live question, and what they may see, read in one query instead of the session and user.

When a change wakes fifty waiting polls (live_wait.py), each must be answered with the news: on the full path,
that is the session middleware's query, the user's query and the workshop's state, three round trips and two
ORM compilations per person, most of a woken request's time. The poll's signed ETag (live.py) already names
the person and was signed for this session cookie after the full access check; what may have changed since is
whether that session still signs the person in (a sign-out deletes it, a password change voids its hash, it
expires), whether the account is still active with a role, and whether they are still invited or facilitate.

``woken_asker`` reads all of that in one statement written once (the session's row, the person's row, the
workshop's version and the invitation) and checks the session as ``django.contrib.auth.get_user`` does: the
user id in it is the ETag's, its backend is the model backend, and its hash is the password's hash under the
current secret key. Anything else (another session engine, sessions kept for CSRF, a hash under an old
secret, no row) is None, and the request takes the full path, which answers it as any other request.
"""

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from teams.models import Role, User

from .models import Participant, Step, Workshop

_DB_SESSIONS = "django.contrib.sessions.backends.db"
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class Asker(NamedTuple):
    user: User  # loaded with its id, password, is_active and role only
    workshop_id: int
    workshop_created_at: datetime  # with the id, names the workshop even where a test database reuses ids
    version: int
    bar_version: int
    invited: bool
    facilitator_id: int


def woken_asker(session_key: str, user_id: int, step_id: int) -> Asker | None:
    """The person a session cookie signs in, if it is ``user_id``, an active account with a role, with the state of
    ``step_id``'s workshop; None when anything is not plainly so (the full path then answers)."""
    if settings.SESSION_ENGINE != _DB_SESSIONS or settings.CSRF_USE_SESSIONS:
        return None
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())  # as the session store compares (SQLite: text)
        cursor.execute(_ASKER_SQL, [session_key, now, user_id, step_id])
        row = cursor.fetchone()
    if row is None:
        return None
    session_data, password, is_active, role, *workshop = row
    workshop_id, created_at, version, bar_version, invited, facilitator_id = workshop
    session = SessionStore().decode(session_data)
    if session.get(SESSION_KEY) != str(user_id) or session.get(BACKEND_SESSION_KEY) != _MODEL_BACKEND:
        return None
    if not (is_active and role in Role.values):
        return None
    user = User.from_db(connection.alias, ["id", "password", "is_active", "role"], [user_id, password, is_active, role])
    if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None
    return Asker(user, workshop_id, created_at, version, bar_version, bool(invited), facilitator_id)


_ASKER_SQL = (
    "SELECT ses.session_data, u.password, u.is_active, u.role, w.id, w.created_at, w.version, w.bar_version, "  # noqa: S608
    f"EXISTS (SELECT 1 FROM {Participant._meta.db_table} p WHERE p.workshop_id = w.id AND p.user_id = u.id), "
    f"w.facilitator_id FROM {Session._meta.db_table} ses, {User._meta.db_table} u, "
    f"{Step._meta.db_table} s JOIN {Workshop._meta.db_table} w ON s.workshop_id = w.id "
    "WHERE ses.session_key = %s AND ses.expire_date > %s AND u.id = %s AND s.id = %s"
)
