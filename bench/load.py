"""The load test (`make load`): Locust's simulated people against the full stack on a 1,000,000-customer base.

1. The database (LOAD_DATABASE_URL, by default the benchmarks' database) is seeded with a million customers
   by bench/run.py's seed_1m if it holds fewer, and migrated; tables are vacuumed and analysed where
   autovacuum would have done it by now (it is off on the test server).
2. bench/load_fixtures.py makes the people (one password), a live workshop open on a step, and notes what
   reps filter by.
3. The full stack starts as production runs it (`make stack`: gunicorn with DEBUG off, a Celery worker and
   beat on Redis at LOAD_REDIS_URL, static files by whitenoise, persistent database connections) on a free
   port of 127.0.0.1.
4. Locust runs bench/locustfile.py headless: LOAD_USERS people (default 50) signing in over
   LOAD_RAMP_SECONDS (default 10), then LOAD_SECONDS (default 60) measured.
5. It waits for the re-score job the admin started, stops everything it started (also on an error or
   Ctrl-C), prints requests per second, p50/p95/p99 and the errors, and merges load_rps, load_p50_ms,
   load_p95_ms, load_p99_ms and load_errors into .bench/results.json.
6. Meanwhile it reads every process's CPU time once a second (``CpuAccount``) and prints each part's share of
   the CPU over the measured window: web (gunicorn), worker, bulk worker, beat, PostgreSQL's backends, Locust
   and the rest of the machine; ``load_cpu_ms_per_request`` is the CPU the stack spent (all of them but
   Locust and the rest) divided by the requests served in the window.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from autovacuum import vacuum_where_autovacuum_would  # bench/autovacuum.py

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / ".bench" / "results.json"
LOGS = ROOT / ".bench" / "load"
CUSTOMERS = 1_000_000
DEFAULT_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/icp_bench")
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL
REDIS_URL = os.environ.get("LOAD_REDIS_URL") or "redis://127.0.0.1:6379/11"
USERS = int(os.environ.get("LOAD_USERS") or 50)
SECONDS = int(os.environ.get("LOAD_SECONDS") or 60)
RAMP_SECONDS = int(os.environ.get("LOAD_RAMP_SECONDS") or 10)
TARGET_P95_MS = 300


class Stopped(Exception):
    """SIGTERM: stop like Ctrl-C, through the clean-up."""


def _stop(signum, frame):
    raise Stopped(f"signal {signum}")


def _env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.pop("REDIS_URL", None)
    env.update({"DATABASE_URL": DATABASE_URL, "DEBUG": "true", "ENV_FILE": os.devnull, **extra})
    return env


def _run(*command: str, env: dict | None = None) -> None:
    subprocess.run(command, cwd=ROOT, env=env or _env(), check=True)


def customers_in_database() -> int:
    try:
        with psycopg.connect(DATABASE_URL, connect_timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
    except psycopg.Error:  # no such database, or not migrated
        return 0


def database_ready() -> None:
    count = customers_in_database()
    if count < CUSTOMERS:
        print(f"The load database holds {count:,} customers: seeding {CUSTOMERS:,} (bench/run.py seed_1m)", flush=True)
        _run(sys.executable, "bench/run.py", "seed_1m", env={**os.environ, "BENCH_DATABASE_URL": DATABASE_URL})
    _run(sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    vacuum_where_autovacuum_would(DATABASE_URL)


def fixtures_prepare(folder: Path) -> Path:
    path = folder / "fixtures.json"
    _run(sys.executable, "bench/load_fixtures.py", "prepare", str(USERS), str(path))
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """`make stack` (gunicorn, a Celery worker and beat) in a process group of its own, stopped on exit."""

    def __init__(self, folder: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.log_path = LOGS / "stack.log"

    def __enter__(self):
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()  # no task left over from an earlier run
        env = _env(
            REDIS_URL=REDIS_URL,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback, as README's "The full stack" shows
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"),
            STATIC_ROOT=str(self.folder / "static"),
            # The Procfile's defaults: 2 gthread workers of 40 threads (with CONN_MAX_AGE each thread may keep a
            # connection: 80, under PostgreSQL's 100 with the Celery workers)
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
            WEB_THREADS=os.environ.get("WEB_THREADS", "40"),
            CELERY_CONCURRENCY=os.environ.get("CELERY_CONCURRENCY", "2"),
            CELERY_BULK_CONCURRENCY=os.environ.get("CELERY_BULK_CONCURRENCY", "1"),
        )
        LOGS.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "stack", f"PORT={self.port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack stopped; see {self.log_path}")
            if self._healthy() and " ready." in self.log_path.read_text():
                return
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not become healthy within 5 minutes; see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                return json.loads(response.read()) == {"status": "ok", "database": "up", "broker": "up"}
        except (OSError, ValueError):
            return False

    def __exit__(self, *exc):
        """Ctrl-C, as in the terminal running `make stack`: honcho stops each process, the worker warmly (a task
        in progress finishes). honcho starts each process in a process group of its own, so whatever of the
        stack's process tree is still there after 30 s is killed one by one."""
        tree = _descendants(self.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for pid, started in tree:
            if _start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _start_time(pid: int) -> str | None:
    """When the process started (to tell it from a later one with the same id), or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def _descendants(root: int) -> list[tuple[int, str]]:
    """The processes below ``root``, each with its start time."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            started = _start_time(child)
            if started is not None:
                found.append((child, started))
            todo.append(child)
    return found


PARTS = ("web", "worker", "bulk", "beat", "postgres", "locust", "other")
STACK_PARTS = ("web", "worker", "bulk", "beat", "postgres")


def _part(process) -> str:
    """Which part of the stack a process is, by its command line (the Procfile's) or its user."""
    command = " ".join(process.info["cmdline"] or ())
    if process.info["username"] == "postgres" and command.startswith("postgres:"):
        return "postgres"
    if "gunicorn" in command:
        return "web"
    if "celery" in command:
        return "bulk" if "--queues bulk" in command else "beat" if " beat" in command else "worker"
    if "locust" in command:
        return "locust"
    return "other"


class CpuAccount:
    """Every process's CPU time (user + system), read once a second in a thread, by part of the stack.

    A process's CPU is counted from the first reading after the window's start to the last before its end; a
    process that started in the window counts from zero. PostgreSQL's backends stay (persistent connections),
    so little is lost with processes that end between two readings.
    """

    def __init__(self):
        import threading

        self.readings: list[tuple[float, dict[int, tuple[str, float]]]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=10)

    def _read(self) -> None:
        import psutil

        while not self.stopped.is_set():
            now, processes = time.time(), {}
            for process in psutil.process_iter(["cmdline", "username", "cpu_times", "create_time"]):
                times = process.info["cpu_times"]
                if times is not None:
                    key = (process.pid, process.info["create_time"])
                    processes[key] = (_part(process), times.user + times.system)
            self.readings.append((now, processes))
            self.stopped.wait(1.0)

    def seconds_by_part(self, start: float, end: float) -> tuple[dict[str, float], float]:
        """(CPU seconds of each part between ``start`` and ``end``, the seconds between the readings used)."""
        inside = [reading for reading in self.readings if start <= reading[0] <= end]
        if len(inside) < 2:
            raise RuntimeError("fewer than two CPU readings in the measured window")
        (first_at, first), (last_at, last) = inside[0], inside[-1]
        used = dict.fromkeys(PARTS, 0.0)
        for key, (part, cpu) in last.items():
            used[part] += cpu - first.get(key, (part, 0.0))[1]
        return used, last_at - first_at


def cpu_report(figures: dict, account: CpuAccount) -> None:
    """Each part's share of the CPU in the measured window, and the stack's CPU per request."""
    start, end = figures["window"]
    used, seconds = account.seconds_by_part(start, end)
    cores = os.cpu_count() or 1
    print(f"\nCPU over {seconds:.0f} s of the measured window ({cores} cores = {cores * seconds:.0f} CPU-seconds):")
    for part in PARTS:
        print(f"  {part:<9}{used[part]:8.1f} s  {100 * used[part] / (cores * seconds):5.1f}% of the machine")
    stack = sum(used[part] for part in STACK_PARTS)
    requests = figures["requests"] * seconds / figures["seconds"]  # the requests served while it was read
    figures["cpu_ms_per_request"] = 1000 * stack / max(requests, 1)
    figures["cpu_by_part"] = used
    print(
        f"load_cpu_ms_per_request: {figures['cpu_ms_per_request']:.1f} (the stack's {stack:.1f} CPU-seconds "
        f"over {requests:.0f} requests; Locust and the rest of the machine not counted)"
    )


def locust_run(host: str, fixtures: Path, folder: Path) -> dict:
    results = folder / "results.json"
    env = {**os.environ, "LOAD_FIXTURES": str(fixtures), "LOAD_SECONDS": str(SECONDS), "LOAD_RESULTS": str(results)}
    spawn_rate = max(1.0, USERS / max(RAMP_SECONDS, 1))
    # A bound for the whole run: the ramp, up to three minutes of signing in, the measured time.
    limit = RAMP_SECONDS + 180 + SECONDS + 30
    command = [str(BIN / "locust"), "-f", "bench/locustfile.py", "--headless", "--only-summary"]
    command += ["--users", str(USERS), "--spawn-rate", f"{spawn_rate:.2f}", "--run-time", f"{limit}s"]
    command += ["--host", host, "--stop-timeout", "5", "--loglevel", "WARNING"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)
    if not results.exists():
        raise RuntimeError("Locust wrote no figures (see its output above)")
    return json.loads(results.read_text())


def jobs_wait(timeout: float = 300) -> None:
    """Let re-score jobs end: before the run (one an interrupted run left, which the worker resumes when it
    starts), and after it (the admin's, so the base is left whole)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        while time.monotonic() < deadline:
            active = connection.execute(
                "SELECT count(*) FROM rubrics_rescorejob WHERE status IN ('queued', 'running')"
            ).fetchone()[0]
            if not active:
                return
            time.sleep(1)
    print("A re-score job is still running after 5 minutes: the next worker to start resumes it.", flush=True)


def report(figures: dict) -> None:
    people, signed_in, seconds = figures["users"], figures["signed_in"], figures["seconds"]
    print(f"\nLoad test: {people} people ({signed_in} signed in), {seconds:.0f} s measured")
    print(f"{'request':<24}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    rows = sorted(figures["by_name"].items(), key=lambda item: -item[1]["p95_ms"])
    for name, row in rows:
        print(f"{name:<24}{row['count']:>8}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}{row['max_ms']:>9.0f}")
    print(f"\nload_rps: {figures['rps']:.1f} requests/s ({figures['requests']} requests)")
    for name in ("p50_ms", "p95_ms", "p99_ms"):
        print(f"load_{name}: {figures[name]:.0f}")
    print(f"load_errors: {figures['errors']}")
    for error in figures["error_samples"]:
        print(f"  {error}")
    met = figures["errors"] == 0 and figures["p95_ms"] < TARGET_P95_MS
    print(f"targets (no errors, p95 under {TARGET_P95_MS} ms): {'met' if met else 'NOT met'}")


def results_merge(figures: dict) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name, value, unit in (
        ("load_rps", figures["rps"], "req/s"),
        ("load_p50_ms", figures["p50_ms"], "ms"),
        ("load_p95_ms", figures["p95_ms"], "ms"),
        ("load_p99_ms", figures["p99_ms"], "ms"),
        ("load_errors", figures["errors"], "errors"),
        ("load_cpu_ms_per_request", figures["cpu_ms_per_request"], "ms"),
    ):
        results[name] = {"value": round(value, 3), "unit": unit}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    print(
        f"Load test on {DATABASE_URL.rsplit('/', 1)[-1]}: {USERS} people, {SECONDS} s after {RAMP_SECONDS} s of ramp-up"
    )
    database_ready()
    with tempfile.TemporaryDirectory() as folder:
        fixtures = fixtures_prepare(Path(folder))
        try:
            with Stack(Path(folder)) as stack:
                print(f"The stack answers on {stack.url} (its log: {stack.log_path.relative_to(ROOT)})", flush=True)
                jobs_wait()  # a job an interrupted run left is resumed by the worker: not in the measured time
                with CpuAccount() as account:
                    figures = locust_run(stack.url, fixtures, Path(folder))
                jobs_wait()
        finally:
            _run(sys.executable, "bench/load_fixtures.py", "clear")
    report(figures)
    cpu_report(figures, account)
    results_merge(figures)


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, Stopped):
        print("\nStopped; everything it started is stopped too.", file=sys.stderr)
        sys.exit(130)
