"""Each pytest-xdist worker gets a Redis database of its own (icpsite/settings_test.py)."""

import pytest

from icpsite.settings_test import redis_of_this_worker


def test_each_worker_gets_its_own_redis_database_on_the_same_server():
    url = "redis://127.0.0.1:6379/1"

    assert redis_of_this_worker(url, "") == url  # one process: the URL as given
    assert redis_of_this_worker(url, "gw0") == "redis://127.0.0.1:6379/10"
    assert redis_of_this_worker(url, "gw5") == "redis://127.0.0.1:6379/15"
    assert redis_of_this_worker("redis://:secret@cache:6380/3", "gw2") == "redis://:secret@cache:6380/12"


def test_more_workers_than_redis_has_databases_is_refused():
    with pytest.raises(RuntimeError, match="at most 6 test workers"):
        redis_of_this_worker("redis://127.0.0.1:6379/1", "gw6")
