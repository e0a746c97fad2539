import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from ops.context import request_id_var, task_var
from ops.logs import JsonFormatter, RequestContextFilter

ROOT = Path(__file__).resolve().parents[2]


def _record(message="hello %s", args=("world",), **extra) -> logging.LogRecord:
    record = logging.LogRecord("app.module", logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_it_formats_a_record_as_one_json_line_with_its_extras():
    line = JsonFormatter().format(_record(status=201, duration_ms=3.5, user_id=7))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert (entry["level"], entry["logger"]) == ("INFO", "app.module")
    assert (entry["status"], entry["duration_ms"], entry["user_id"]) == (201, 3.5, 7)
    assert "args" not in entry
    assert "msg" not in entry


def test_it_keeps_a_multiline_message_and_a_traceback_on_one_line():
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed:\n%s", ("two lines",), sys.exc_info())

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed:\ntwo lines"
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: bad\nvalue" in entry["exception"]


def test_the_filter_adds_the_current_request_and_task():
    request_token, task_token = request_id_var.set("req-9"), task_var.set(("task-1", "rubrics.tasks.rescore_chunk"))
    try:
        record = _record()
        RequestContextFilter().filter(record)
    finally:
        request_id_var.reset(request_token)
        task_var.reset(task_token)

    assert (record.request_id, record.task_id, record.task_name) == ("req-9", "task-1", "rubrics.tasks.rescore_chunk")


def test_the_filter_keeps_an_id_given_with_the_record():
    record = _record(request_id="given")

    RequestContextFilter().filter(record)

    assert record.request_id == "given"
    assert not hasattr(record, "task_id")


def _line_logged_at_start_up(**settings) -> str:
    """What a process with these settings prints for one warning, outside any request."""
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "LOG_FORMAT", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="icpsite.settings", ENV_FILE=os.devnull, SECRET_KEY="x" * 50, **settings)
    code = "import django, logging; django.setup(); logging.getLogger('probe').warning('hello')"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_writes_json_lines_to_stdout():
    entry = json.loads(_line_logged_at_start_up(DEBUG="false"))

    assert (entry["level"], entry["logger"], entry["message"], entry["request_id"]) == (
        "WARNING",
        "probe",
        "hello",
        "-",
    )


def test_development_writes_plain_lines_unless_told_otherwise():
    assert _line_logged_at_start_up(DEBUG="true").endswith(" WARNING probe [-] hello")
    assert json.loads(_line_logged_at_start_up(DEBUG="true", LOG_FORMAT="json"))["message"] == "hello"
