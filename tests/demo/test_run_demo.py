"""``manage.py run_demo`` evaluates the demo, serves the three leaderboards, stops on Ctrl-C, and reruns."""

import http.cookiejar
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from fixtures.catalogue import DEMO_CHALLENGES
from fixtures.loading import DEMO_PASSWORD, PARTICIPANT_USERNAME
from tests import services

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
# Guards against a hang only: the demo normally serves within a few minutes.
SERVE_TIMEOUT_S = 600
STOP_TIMEOUT_S = 60

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DemoProcess:
    """A ``manage.py run_demo`` subprocess whose output lines are collected by a thread."""

    def __init__(self, var_dir, port):
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "PODIUM_BROKER_DIR", "PODIUM_PRIVATE_ROOT",
                           "MEDIA_ROOT", "STATIC_ROOT", "PYTEST_VERSION", "PORT")
        }
        # The settings need DEBUG (or a SECRET_KEY) outside tests, as make demo provides.
        environment.update({"PODIUM_VAR_DIR": str(var_dir), "DEBUG": "1", "PYTHONUNBUFFERED": "1"})
        self.port = port
        self.lines = []
        self._queue = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_demo", "--port", str(port)],
            cwd=REPOSITORY_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, text):
        """Collect output until a line contains ``text``, and fail with the output when the process ends first."""
        while True:
            try:
                line = self._queue.get(timeout=SERVE_TIMEOUT_S)
            except queue.Empty:
                pytest.fail(f"no {text!r} after {SERVE_TIMEOUT_S} s; output:\n" + "\n".join(self.lines[-40:]))
            if line is None:
                pytest.fail(f"run_demo exited before {text!r}; output:\n" + "\n".join(self.lines[-40:]))
            self.lines.append(line)
            if text in line:
                return line

    def interrupt(self):
        """Send Ctrl-C's signal, wait for the exit, and return the exit code."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=STOP_TIMEOUT_S)
        while (line := self._queue.get(timeout=STOP_TIMEOUT_S)) is not None:
            self.lines.append(line)
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def worker_pid(self):
        for line in self.lines:
            match = re.search(r"Started a Celery worker \(process (\d+)\)", line)
            if match:
                return int(match.group(1))
        return None


def log_in(base_url):
    """Return an opener with a session of the demo participant."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base_url}/accounts/login/").read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": PARTICIPANT_USERNAME, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    with opener.open(f"{base_url}/accounts/login/", data=form) as response:
        final_url = response.geturl()
    assert not final_url.endswith("/accounts/login/"), "the demo participant's log-in was rejected"
    return opener


def process_exists(pid):
    return Path(f"/proc/{pid}").exists()


def leaderboard_url(base_url, challenge, phase, page=""):
    return f"{base_url}/challenges/{challenge.slug}/phases/{phase.slug}/leaderboard/{page}"


DEMO_PHASES = [
    pytest.param(challenge, phase, id=f"{challenge.slug}-{phase.slug}")
    for challenge in DEMO_CHALLENGES
    for phase in challenge.phases
]


@pytest.fixture(scope="module")
def demo_var_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo") / "var"


@pytest.fixture(scope="module")
def serving_demo(demo_var_dir):
    """Start run_demo on a free port and return it once it serves; the last test stops it."""
    demo = DemoProcess(demo_var_dir, free_port())
    try:
        demo.wait_for_line(f"serving at http://127.0.0.1:{demo.port}")
        yield demo
    finally:
        demo.kill()


@pytest.mark.parametrize("challenge, phase", DEMO_PHASES)
def test_leaderboard_lists_every_team(serving_demo, challenge, phase):
    base_url = f"http://127.0.0.1:{serving_demo.port}"
    opener = log_in(base_url)

    with opener.open(leaderboard_url(base_url, challenge, phase)) as response:
        page = response.read().decode()

    assert response.status == 200
    for demo_submission in phase.submissions:
        assert demo_submission.team in page, demo_submission.team


@pytest.mark.browser
@pytest.mark.parametrize("challenge, phase", DEMO_PHASES)
def test_leaderboard_renders_in_chromium(serving_demo, chromium_path, challenge, phase):
    from playwright.sync_api import sync_playwright

    base_url = f"http://127.0.0.1:{serving_demo.port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=services.CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(leaderboard_url(base_url, challenge, phase))
            rows = page.locator("#leaderboard tbody tr")
            ranks = [rows.nth(index).locator("td").nth(0).inner_text() for index in range(rows.count())]
            intervals = [rows.nth(index).locator("td").nth(1).inner_text() for index in range(rows.count())]

            page.goto(leaderboard_url(base_url, challenge, phase, "analysis/"))
            page.wait_for_selector(".js-plotly-plot")
            figure_count = page.locator(".js-plotly-plot").count()
        finally:
            browser.close()

    assert len(ranks) == len(phase.submissions)
    assert all(rank.strip().isdigit() for rank in ranks), ranks
    # An interval reads "1–3" or "1.5–3" (an en dash between the bounds).
    interval_pattern = re.compile(r"\d+(\.\d+)?\u2013\d+(\.\d+)?")
    assert all(interval_pattern.fullmatch(interval.strip()) for interval in intervals), intervals
    assert figure_count >= 1
    assert errors == []


def test_ctrl_c_stops_and_rerun_reuses(serving_demo, demo_var_dir):
    # Runs last in this module: it stops the demo that the tests above used.
    worker_pid = serving_demo.worker_pid()

    assert serving_demo.interrupt() == 0, "\n".join(serving_demo.lines[-40:])
    assert "Stopped." in serving_demo.lines
    assert worker_pid is not None
    assert not process_exists(worker_pid)

    rerun = DemoProcess(demo_var_dir, serving_demo.port)
    try:
        rerun.wait_for_line(f"serving at http://127.0.0.1:{rerun.port}")
        assert rerun.interrupt() == 0, "\n".join(rerun.lines[-40:])
    finally:
        rerun.kill()
    assert any("0 submissions queued" in line for line in rerun.lines), "\n".join(rerun.lines)
