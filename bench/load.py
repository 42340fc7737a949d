"""Load and soak: caseworkers doing case work against the app as it is served in production.

Prepares a PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
load_bench): migrates it and fills it with N cases (default 1,000,000) over 21 offices, one of
which (BENCH-UKR) holds 40% of them, with persons whose names are encrypted and blind-indexed
(`synthetic.py`, shared with the report bench), unless `--reuse` finds them there. Creates the
personas (caseworkers, supervisors and a data manager at BENCH-UKR, BENCH-THA and BENCH-HTI,
each with a TOTP authenticator), serves the app with gunicorn (`config.wsgi`, production
settings over plain HTTP, `--workers 4 --threads 2` as `make run`) on a free port and runs
locust headless in this process: USERS users (default 20) log in with password and TOTP code
(reported apart: once a day, not between pages), then for DURATION seconds (default 300), with
1-3 s of thought between steps: the home page, the case list (first and later pages, filters),
search by name and by reference, case detail, a case note (a write), and now and then the
statistics dashboard.

Prints p50/p95/p99, requests and errors per route as the users saw them, beside the server's
own times from its access log (SAFEPASSAGE_VAR_DIR/access.log), the machine's load and the
server's CPU time, and exits non-zero unless the users' p95 < 100 ms for the case list, search
and case detail and no request (logins included) failed.

    .venv/bin/python bench/load.py [--n 1000000] [--users 20] [--duration 300] [--reuse]

Keys: the throwaway keys of the test settings unless SAFEPASSAGE_* keys are set (the data is
synthetic). Files (static files, logs) go under SAFEPASSAGE_VAR_DIR (default var/bench/load).
"""

from __future__ import annotations

# locust patches the standard library for gevent on import: it comes before anything that
# imports ssl (Django, psycopg, requests do).
import locust  # isort: skip
import argparse
import itertools
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pgdb import ensure_database  # noqa: E402  # bench/ is the script's directory
from synthetic import OFFICE_COUNTRIES, generate, random_name  # noqa: E402  # bench/ is the script's directory

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/load_bench"
YEAR = 2025
# BENCH-UKR holds 40% of the cases, BENCH-THA and BENCH-HTI 12% each, the others 2% each.
OFFICE_WEIGHTS = tuple(
    40 if iso3 == "UKR" else 12 if iso3 in ("THA", "HTI") else 2 for iso3 in OFFICE_COUNTRIES
)
PASSWORD = "Bench-load-password-not-for-any-deployment-1"  # noqa: S105  # synthetic accounts
# (office, role, how many): the big office carries most of the people, as it carries the cases.
PERSONAS = (
    ("UKR", "caseworker", 10),
    ("UKR", "supervisor", 2),
    ("UKR", "data_manager", 1),
    ("THA", "caseworker", 4),
    ("THA", "supervisor", 1),
    ("HTI", "caseworker", 3),
    ("HTI", "supervisor", 1),
)
TARGET_MS = 100
TARGET_ROUTES = ("case list", "search", "case detail")  # prefixes of route names
TEST_KEYS = {
    # The test settings' throwaway keys (config/settings_test.py): synthetic data only.
    "SAFEPASSAGE_SECRET_KEY": "test-only-secret-key-not-for-any-deployment-000000",
    "SAFEPASSAGE_FIELD_KEYS": (
        "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=,ZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWU="
    ),
    "SAFEPASSAGE_BLIND_INDEX_KEY": "test-only-blind-index-key",
}
# Each request names its route in a header, which the server's access log records in place of
# the query string (a search's query string holds a name, which no log should).
ROUTE_HEADER = "X-Bench-Route"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Account:
    username: str
    office: str
    role: str
    totp_key: bytes


@dataclass
class Workload:
    """What the simulated users draw from: their accounts and real cases of their offices."""

    accounts: list[Account] = field(default_factory=list)
    cases: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    open_cases: dict[str, list[int]] = field(default_factory=dict)
    next_account: Any = field(default_factory=itertools.count)
    logged_in: int = 0
    login_failures: int = 0


WORKLOAD = Workload()


# --- preparation (Django, in this process) ----------------------------------------------------


def setup_environment(database_url: str) -> None:
    ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["SAFEPASSAGE_HTTPS"] = "0"
    os.environ.setdefault("SAFEPASSAGE_VAR_DIR", str(ROOT / "var" / "bench" / "load"))
    for name, value in TEST_KEYS.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


def prepare_database(n: int, *, reuse: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from safepassage.cases.models import Case

    if connection.vendor != "postgresql":
        raise SystemExit("the load bench runs on PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    present = Case.objects.filter(office__code__startswith="BENCH-").count()
    if reuse and present >= n:
        print(f"reusing {present:,} cases")
    else:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        print(f"generating {n:,} synthetic cases ...")
        started = time.perf_counter()
        generate(n, YEAR, office_weights=OFFICE_WEIGHTS, with_name_keys=True)
        print(f"  done in {time.perf_counter() - started:,.0f} s")
    # The steady state the app runs in (autovacuum's visibility map and statistics).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)


def prepare_personas(rng: random.Random) -> None:
    """Accounts with memberships and confirmed TOTP devices whose keys the users know."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safepassage.accounts.models import Membership, User
    from safepassage.cases.models import Case
    from safepassage.offices.models import Office

    for iso3, role, count in PERSONAS:
        office = Office.objects.get(code=f"BENCH-{iso3}")
        for i in range(count):
            username = f"load-{iso3.lower()}-{role}-{i}"
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(PASSWORD)
            user.is_active = True
            user.save()
            Membership.objects.get_or_create(user=user, office=office, role=role)
            TOTPDevice.objects.filter(user=user).delete()
            key = rng.randbytes(20)
            TOTPDevice.objects.create(user=user, name="bench", confirmed=True, key=key.hex())
            WORKLOAD.accounts.append(Account(username, iso3, role, key))
        if iso3 not in WORKLOAD.cases:
            # A few hundred real cases of the office, from a random point of its id range.
            ids = Case.objects.filter(office=office).order_by("pk")
            lowest = ids.values_list("pk", flat=True).first() or 0
            highest = ids.order_by("-pk").values_list("pk", flat=True).first() or 0
            start = rng.randint(lowest, max(lowest, highest - 10_000))
            sample = list(ids.filter(pk__gte=start).values_list("pk", "reference", "status")[:500])
            WORKLOAD.cases[iso3] = [(pk, reference) for pk, reference, _ in sample]
            # Notes go to cases still open: a closed case takes none.
            WORKLOAD.open_cases[iso3] = [pk for pk, _, status in sample if status != "closed"]
    # Supervisors and caseworkers alternate so that every office has both early in the ramp-up.
    WORKLOAD.accounts.sort(key=lambda a: (a.role == "data_manager", a.username[-1], a.office))


# --- the simulated users (locust) ---------------------------------------------------------------


def totp_now(key: bytes) -> str:
    from django_otp.oath import totp

    return f"{totp(key):06d}"


class Caseworker(FastHttpUser):
    """One person at work: reads the list, searches, opens cases, writes a note now and then.

    The client is locust's geventhttpclient-based one: with python-requests (HttpUser) the load
    generator's own parsing of the responses, one user after another in one process, added up
    to 30 ms to the 95th percentile the server itself took (the server's own times are printed
    beside the client's)."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = WORKLOAD.accounts[next(WORKLOAD.next_account) % len(WORKLOAD.accounts)]
        self.rng = random.Random(self.account.username)
        self.cases = WORKLOAD.cases[self.account.office]
        page = self._get("/accounts/login/", name="login page")
        self._post(
            "/accounts/login/",
            {
                "username": self.account.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self._csrf(page.text),
            },
            name="login",
        )
        page = self._get("/accounts/two-factor/", name="two-factor page")
        with self._post(
            "/accounts/two-factor/",
            {
                "token": totp_now(self.account.totp_key),
                "csrfmiddlewaretoken": self._csrf(page.text),
            },
            name="two-factor",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Accepted: a redirect away from the second-factor page.
            location = response.headers.get("location") or ""
            if response.status_code != 302 or "two-factor" in location:
                response.failure("second factor refused")
        WORKLOAD.logged_in += 1

    def _get(self, path: str, *, name: str, **kwargs: Any) -> Any:
        return self.client.get(path, name=name, headers={ROUTE_HEADER: name}, **kwargs)

    def _post(self, path: str, data: dict[str, str], *, name: str, **kwargs: Any) -> Any:
        return self.client.post(path, data, name=name, headers={ROUTE_HEADER: name}, **kwargs)

    @staticmethod
    def _csrf(text: str | None) -> str:
        match = CSRF.search(text or "")
        return match.group(1) if match else ""

    def _case(self) -> tuple[int, str]:
        return self.rng.choice(self.cases)

    @task(1)
    def home(self) -> None:
        self._get("/", name="home")

    @task(4)
    def case_list(self) -> None:
        self._get("/cases/", name="case list")

    @task(2)
    def case_list_later_page(self) -> None:
        self._get(f"/cases/?page={self.rng.randint(2, 40)}", name="case list, later page")

    @task(2)
    def case_list_filtered(self) -> None:
        choice = self.rng.choice(
            (
                "status=assisted",
                "status=monitoring&category=vot",
                f"registered_from={YEAR}-06-01&registered_to={YEAR}-06-30",
                "nationality=UKR",
            )
        )
        self._get(f"/cases/?{choice}", name="case list, filtered")

    @task(3)
    def search_name(self) -> None:
        name = random_name(self.rng)
        text = name.family if self.rng.random() < 0.6 else f"{name.given} {name.family}"
        self._get("/cases/", params={"q": text}, name="search by name")

    @task(2)
    def search_reference(self) -> None:
        reference = self._case()[1]
        # The full reference, or its year and number as people say it.
        text = reference if self.rng.random() < 0.5 else reference.split("-", 2)[2]
        self._get("/cases/", params={"q": text}, name="search by reference")

    @task(5)
    def case_detail(self) -> None:
        self._get(f"/cases/{self._case()[0]}/", name="case detail")

    @task(1)
    def add_note(self) -> None:
        if self.account.role == "data_manager":
            return
        case_id = self.rng.choice(WORKLOAD.open_cases[self.account.office])
        page = self._get(f"/cases/{case_id}/", name="case detail")
        with self._post(
            f"/cases/{case_id}/notes/",
            {
                "text": "Follow-up call; next visit agreed.",
                "csrfmiddlewaretoken": self._csrf(page.text),
            },
            name="add note",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"note not added ({response.status_code})")

    @task(1)
    def stats_dashboard(self) -> None:
        if self.rng.random() < 0.3:
            self._get("/stats/", name="stats dashboard")


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def access_log() -> Path:
    """The server's own time for every request (microseconds, the route's name)."""
    return Path(os.environ["SAFEPASSAGE_VAR_DIR"]) / "access.log"


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    log = Path(os.environ["SAFEPASSAGE_VAR_DIR"]) / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    access_log().unlink(missing_ok=True)
    # Idle keep-alive longer than the users' pauses: with gunicorn's default of 2 s a client
    # reusing a connection the server is closing sees a reset, which browsers retry silently
    # but which would count here as an error of the app. A pause is 1-3 s, but a step that
    # sends nothing (the dashboard, skipped 7 times in 10) adds one pause to the next: at 5 s
    # one request in 3,000 met a closing connection.
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--keep-alive", "30",
        "--log-level", "warning",
        "--access-logfile", str(access_log()),
        "--access-logformat", f"%(D)s %({{{ROUTE_HEADER.lower()}}}i)s",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603  # our own command line
        command,
        cwd=ROOT,
        env={**os.environ},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    process = psutil.Process(server.pid)
    total = 0.0
    for p in (process, *process.children(recursive=True)):
        times = p.cpu_times()
        total += times.user + times.system
    return total


# --- the run and the report ---------------------------------------------------------------------


def run_load(host: str, users: int, spawn_rate: float, duration: float) -> tuple[Environment, int]:
    """Logs every user in, then measures `duration` seconds of case work. Logging in (a
    deliberately slow password hash, then the TOTP code) happens once a day, not between
    pages: it is reported apart, and the 20 simultaneous logins of the start do not weigh on
    the figures of the case work that follows."""
    env = Environment(user_classes=[Caseworker], host=host, events=locust.events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    deadline = time.monotonic() + 300
    while WORKLOAD.logged_in < users and time.monotonic() < deadline:
        time.sleep(0.5)
    print(f"  {WORKLOAD.logged_in} users logged in; login figures:")
    for name in ("login page", "login", "two-factor page", "two-factor"):
        entry = env.stats.get(name, "POST" if name in ("login", "two-factor") else "GET")
        print(
            f"    {name:16} {entry.num_requests:>4} requests {entry.num_failures:>3} errors  "
            f"p50 {entry.get_response_time_percentile(0.5) or 0:>6.0f} ms  "
            f"max {entry.max_response_time or 0:>6.0f} ms"
        )
    WORKLOAD.login_failures = env.stats.total.num_failures
    env.stats.reset_all()
    # The server's log from here on holds the case work alone (gunicorn writes each line as the
    # request ends; a login still running would be left out of the routes below anyway).
    case_work_from = access_log().stat().st_size
    started = time.monotonic()
    while time.monotonic() - started < duration:
        time.sleep(min(30.0, duration - (time.monotonic() - started)))
        total = env.stats.total
        print(
            f"  {time.monotonic() - started:5.0f} s  {runner.user_count} users  "
            f"{total.num_requests:,} requests  {total.num_failures} errors  "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    runner.quit()
    return env, case_work_from


def server_times(offset: int) -> dict[str, list[float]]:
    """Milliseconds the server took per route, from its access log after `offset`."""
    times: dict[str, list[float]] = {}
    with access_log().open("rb") as log:
        log.seek(offset)
        for line in log.read().decode().splitlines():
            micros, _, route = line.partition(" ")
            if micros.isdigit() and route not in ("", "-"):
                times.setdefault(route, []).append(int(micros) / 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def report(env: Environment, server: dict[str, list[float]]) -> bool:
    """Per route, the times the users saw (the target applies to these) and, beside them, the
    times the server itself took from reading the request to writing the response."""
    print()
    print(f"{'':46}{'seen by the users':^27}  {'taken by the server':^27}")
    print(
        f"{'route':28} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    met = True
    entries = sorted(env.stats.entries.values(), key=lambda e: e.name)
    for entry in (*entries, env.stats.total):
        if not entry.num_requests:
            continue
        p95 = entry.get_response_time_percentile(0.95) or 0
        targeted = entry.name.startswith(TARGET_ROUTES)
        mark = ""
        if targeted:
            mark = "  ok" if p95 < TARGET_MS else f"  over {TARGET_MS} ms"
            met &= p95 < TARGET_MS
        taken = server.get(entry.name, [])
        own = "".join(f" {percentile(taken, q):>8.0f}" for q in (0.5, 0.95, 0.99)) if taken else ""
        print(
            f"{entry.name:28} {entry.num_requests:>9,} {entry.num_failures:>7,} "
            f"{entry.get_response_time_percentile(0.5) or 0:>8.0f} {p95:>8.0f} "
            f"{entry.get_response_time_percentile(0.99) or 0:>8.0f} {own}{mark}"
        )
    for error in env.stats.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} ({error.occurrences}x)")
    if WORKLOAD.login_failures:
        print(f"error: {WORKLOAD.login_failures} failed login requests")
    met &= env.stats.total.num_failures == 0 and WORKLOAD.login_failures == 0
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="cases in the database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the cases already generated")
    args = parser.parse_args()

    setup_environment(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    prepare_database(args.n, reuse=args.reuse)
    prepare_personas(random.Random(7))
    from django.db import connection

    connection.close()

    port = free_port()
    server = start_server(port, args.workers, args.threads)
    print(
        f"gunicorn on :{port} ({args.workers} workers x {args.threads} threads); "
        f"{args.users} users for {args.duration:.0f} s; load before {os.getloadavg()}"
    )
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = server_cpu_seconds(server)
    started = time.monotonic()
    try:
        env, case_work_from = run_load(
            f"http://127.0.0.1:{port}", args.users, args.spawn_rate, args.duration
        )
        wall = time.monotonic() - started
        server_cpu = server_cpu_seconds(server) - server_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    own = resource.getrusage(resource.RUSAGE_SELF)
    met = report(env, server_times(case_work_from))
    print()
    print(
        f"wall {wall:.0f} s; server CPU {server_cpu:.0f} s ({server_cpu / wall:.2f} cores); "
        f"load generator CPU {own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime:.0f} s; "
        f"load average after {os.getloadavg()} on {os.cpu_count()} cores"
    )
    print(
        f"target (p95 < {TARGET_MS} ms for case list, search and detail; no errors): "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
