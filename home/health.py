import logging

import redis
from django.conf import settings
from django.db import DatabaseError

logger = logging.getLogger(__name__)


def database_status(connection) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: database down", exc_info=True)
        return "down"
    return "up"


def broker_status() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        logger.warning("health check: broker down", exc_info=True)
        return "down"
    finally:
        client.close()
    return "up"
