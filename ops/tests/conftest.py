import io
import json
import logging

import pytest

from ops.logs import JsonFormatter, RequestContextFilter


@pytest.fixture
def json_log():
    """What the production handler writes (the filter and the JSON formatter): a function returning one dict per
    line. Ask for it after a worker fixture, which sets the root level to the worker's."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)
