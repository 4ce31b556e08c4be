"""A live Celery worker (and optionally beat) for tests that need the real pipeline.

Import the fixture into a test module or a folder's conftest.py::

    from tests.worker import live_worker  # noqa: F401 - a pytest fixture

    @pytest.mark.django_db(transaction=True)
    def test_upload_is_evaluated(live_worker):
        worker = live_worker()                      # filesystem broker in a temporary folder
        # worker = live_worker(broker="redis")      # the Redis of tests.services.require_redis_url()
        # worker = live_worker(beat=True, stalled_after_seconds=3, requeue_interval_seconds=1)
        ...create the objects, then call submissions.tasks.queue_submission(submission.pk)...
        wait_until(lambda: Submission.objects.get(pk=pk).status == "succeeded", worker=worker)

``live_worker(...)`` starts ``celery -A podium worker --pool=prefork
--concurrency=1`` as a subprocess with the settings of this test process: the
same test database (a file on SQLite, the ``test_...`` database on
PostgreSQL), the same PODIUM_PRIVATE_ROOT, and a broker and queue of the test's
own. It also points this process's Celery app at that broker, so ``.delay()``
in the test reaches the worker. It returns once the worker logs that it is
ready. Calling it again in the same test starts another worker on the same
broker (after a killed one, for instance). Every process is stopped at
teardown: SIGTERM, then SIGKILL of its whole process group.

The test must use ``django_db(transaction=True)``, because the worker is
another process and reads only committed rows.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from podium.broker import filesystem_transport_options
from tests import services

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
PLATFORM_DIR = REPOSITORY_ROOT / "platform"
READY_LINE = "Podium worker ready"
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 30
DEFAULT_WAIT_TIMEOUT_S = 600


class LiveWorker:
    """A running ``celery worker`` subprocess and what a test may do to it."""

    def __init__(self, process, log_path, name):
        self.process = process
        self.log_path = log_path
        self.name = name

    @property
    def pid(self):
        return self.process.pid

    def log_text(self):
        """Return everything the worker has logged so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines=60):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def is_running(self):
        return self.process.poll() is None

    def pool_pids(self):
        """Return the process ids of the worker's pool processes (its children)."""
        return child_pids(self.pid)

    def kill_pool_process(self):
        """SIGKILL one pool process, as the kernel's OOM killer would; return its id."""
        pids = self.pool_pids()
        if not pids:
            pytest.fail(f"worker {self.name} has no pool process to kill; log:\n{self.log_tail()}")
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def kill(self):
        """SIGKILL the whole worker: the main process and its pool processes."""
        _kill_group(self.process)

    def stop(self):
        """Stop the worker gracefully, and forcibly when it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        # Pool processes of a killed main process can outlive it; they share its group.
        _kill_group(self.process)


def child_pids(parent_pid):
    """Return the ids of the live processes whose parent is ``parent_pid``, from /proc."""
    children = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, then the parent's id.
        if int(fields[1]) == parent_pid and fields[0] != "Z":
            children.append(int(stat_path.parent.name))
    return sorted(children)


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pass


def database_url_of(settings_dict):
    """Return a DATABASE_URL that opens the database of a Django connection's settings."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or name.startswith("file:"):
            pytest.fail(
                f"the test database is SQLite in memory ({name}), which a worker process cannot open; "
                "set DATABASES['default']['TEST']['NAME'] to a file under pytest"
            )
        return f"sqlite:///{name}"
    if engine == "django.db.backends.postgresql":
        credentials = quote(settings_dict.get("USER") or "", safe="")
        if settings_dict.get("PASSWORD"):
            credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}@{host}:{port}/{quote(name, safe='')}"
    pytest.fail(f"a live worker cannot share a {engine} database")


def use_broker(app, broker_url, transport_options, queue_name):
    """Point this process's Celery app at a broker and queue, dropping pooled connections."""
    app.conf.broker_url = broker_url
    app.conf.broker_transport_options = transport_options
    app.conf.task_default_queue = queue_name
    app.conf.task_always_eager = False
    # Celery keeps a connection pool and a producer pool made from the old
    # URL; dropping both makes the next .delay() connect to the new broker.
    app._pool = None
    app.amqp._producer_pool = None


class _WorkerFactory:
    """Start workers (and beat) that share one broker, queue and database for one test."""

    def __init__(self, tmp_path, monkeypatch, settings):
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        # pytest-django's settings fixture, which restores what a test changes.
        self.settings = settings
        self.processes = []
        self.broker = None
        self.environment = None
        self.previous_conf = None
        self.redis_url = None
        self.queue_name = f"podium-test-{uuid.uuid4().hex[:12]}"

    def __call__(
        self,
        *,
        broker="filesystem",
        beat=False,
        stalled_after_seconds=None,
        requeue_interval_seconds=None,
        extra_environment=None,
    ):
        if self.broker is None:
            self._configure(broker, stalled_after_seconds, requeue_interval_seconds, extra_environment or {})
        elif broker != self.broker:
            pytest.fail(f"this test's workers use the {self.broker} broker; it cannot switch to {broker}")

        worker = self._start_worker()
        if beat and not any(name.startswith("beat") for name, _ in self.processes):
            self._start_beat()
        return worker

    def _configure(self, broker, stalled_after_seconds, requeue_interval_seconds, extra_environment):
        from django.db import connection

        from podium.celery import app

        if connection.in_atomic_block:
            pytest.fail("a live worker needs django_db(transaction=True): it cannot see uncommitted rows")

        environment = dict(os.environ)
        environment.update(
            {
                "PYTHONPATH": os.pathsep.join(filter(None, [str(PLATFORM_DIR), str(REPOSITORY_ROOT),
                                                            os.environ.get("PYTHONPATH")])),
                "DJANGO_SETTINGS_MODULE": "podium.settings",
                "DATABASE_URL": database_url_of(connection.settings_dict),
                "PODIUM_VAR_DIR": str(self.tmp_path / "worker-var"),
                "PODIUM_PRIVATE_ROOT": str(self.settings.PODIUM_PRIVATE_ROOT),
                "PODIUM_CELERY_QUEUE": self.queue_name,
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if stalled_after_seconds is not None:
            environment["PODIUM_STALLED_AFTER_SECONDS"] = str(stalled_after_seconds)
        if requeue_interval_seconds is not None:
            environment["PODIUM_REQUEUE_INTERVAL_SECONDS"] = str(requeue_interval_seconds)

        if broker == "redis":
            self.redis_url = services.require_redis_url()
            environment["CELERY_BROKER_URL"] = self.redis_url
            broker_url, transport_options = self.redis_url, {}
        elif broker == "filesystem":
            broker_dir = self.tmp_path / "broker"
            environment.pop("CELERY_BROKER_URL", None)
            environment["PODIUM_BROKER_DIR"] = str(broker_dir)
            broker_url = "filesystem://"
            transport_options = filesystem_transport_options(broker_dir)
        else:
            pytest.fail(f"unknown broker {broker!r}; use 'filesystem' or 'redis'")
        environment.update(extra_environment)

        # Celery reads CELERY_BROKER_URL from the environment before its
        # configuration, so this process must not keep a different one.
        self.monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
        self.previous_conf = {
            key: app.conf[key]
            for key in ("broker_url", "broker_transport_options", "task_default_queue", "task_always_eager")
        }
        use_broker(app, broker_url, transport_options, self.queue_name)
        if stalled_after_seconds is not None:
            self.settings.PODIUM_STALLED_AFTER_SECONDS = stalled_after_seconds

        self.broker = broker
        self.environment = environment

    def _start_worker(self):
        index = sum(1 for name, _ in self.processes if name.startswith("worker"))
        name = f"worker-{index}"
        log_path = self.tmp_path / f"{name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "podium", "worker",
            "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
            "--queues", self.queue_name,
            "--hostname", f"{self.queue_name}-{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        process = self._spawn(command, log_path)
        worker = LiveWorker(process, log_path, name)
        self.processes.append((name, worker))
        self._wait_until_ready(worker)
        return worker

    def _start_beat(self):
        log_path = self.tmp_path / "beat.log"
        command = [
            sys.executable, "-m", "celery", "-A", "podium", "beat", "--loglevel=INFO",
            "--schedule", str(self.tmp_path / "beat-schedule"),
        ]  # fmt: skip
        process = self._spawn(command, log_path)
        self.processes.append(("beat", LiveWorker(process, log_path, "beat")))

    def _spawn(self, command, log_path):
        with open(log_path, "wb") as log_file:
            # A session of its own makes the process the leader of a group
            # that teardown can kill whole, pool processes included.
            return subprocess.Popen(
                command,
                cwd=REPOSITORY_ROOT,
                env=self.environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_until_ready(self, worker):
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY_LINE not in worker.log_text():
            if not worker.is_running():
                pytest.fail(f"{worker.name} exited with code {worker.process.returncode}; log:\n{worker.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{worker.name} was not ready after {START_TIMEOUT_S} s; log:\n{worker.log_tail()}")
            time.sleep(0.2)

    def close(self):
        for _, process in reversed(self.processes):
            process.stop()
        if self.previous_conf is not None:
            from podium.celery import app

            use_broker(
                app,
                self.previous_conf["broker_url"],
                self.previous_conf["broker_transport_options"],
                self.previous_conf["task_default_queue"],
            )
            app.conf.task_always_eager = self.previous_conf["task_always_eager"]
        if self.redis_url is not None:
            import redis

            redis.Redis.from_url(self.redis_url).delete(self.queue_name)


@pytest.fixture
def live_worker(tmp_path, monkeypatch, settings):
    """Return a function that starts a live Celery worker for this test (see the module docstring)."""
    factory = _WorkerFactory(tmp_path, monkeypatch, settings)
    try:
        yield factory
    finally:
        factory.close()


def wait_until(condition, *, worker=None, timeout_s=DEFAULT_WAIT_TIMEOUT_S, interval_s=0.5, description=None):
    """Poll ``condition`` until it returns a true value and return that value.

    Fails the test with the worker's log when ``timeout_s`` passes; the
    timeout guards against a hang and is not a measurement.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            log = f"\nworker log:\n{worker.log_tail()}" if worker is not None else ""
            pytest.fail(f"timed out after {timeout_s} s waiting for {description or condition}{log}")
        time.sleep(interval_s)
