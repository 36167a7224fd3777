"""Fuzz the JSON API with schemathesis against its own OpenAPI schema.

Makes a throw-away SQLite database (or uses DATABASE_URL), seeds the demo practice,
creates an API token for the demo therapist and the demo owner, starts the app with
`manage.py runserver` on 127.0.0.1:PORT, and runs `st run` with every check once per
token. Prints the figures and exits non-zero on any server error or schema violation.

    .venv/bin/python scripts/api_fuzz.py --port 8100 --max-examples 60

CI (.ci/run): `.venv/bin/python scripts/api_fuzz.py --port 8765 --max-examples 60 --workers 1`
(about 3 minutes; one worker, as the coverage phase is not thread-safe on Python 3.11).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(*args: str, env: dict, capture: bool = False) -> str:
    done = subprocess.run(
        [PY, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout if capture else ""


TOKEN_CODE = """
from backcourse.api.services import api_token_create
from backcourse.practices.models import StaffMember
out = {}
for username in ("anna", "owner"):
    staff = StaffMember.objects.get(user__username=username)
    out[username] = api_token_create(staff=staff, name="schemathesis")[1]
import json; print(json.dumps(out))
"""


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-examples", type=int, default=60)
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bc-fuzz-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backcourse.settings",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "fuzz-" + "x" * 50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AXES_ENABLED": "0",
            "BACKCOURSE_DATA_DIR": tmp,
        }
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/fuzz.sqlite3")
        manage("migrate", "--noinput", "-v0", env=env)
        manage("seed_demo", "--clients", "12", env=env, capture=True)
        out = manage("shell", "-c", TOKEN_CODE, env=env, capture=True)
        tokens = json.loads(out.strip().splitlines()[-1])
        server = subprocess.Popen(
            [
                PY,
                str(ROOT / "manage.py"),
                "runserver",
                "--noreload",
                "--insecure",
                f"127.0.0.1:{args.port}",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(tmp) / "server.log", "w"),  # noqa: SIM115
        )
        failed = False
        try:
            base = f"http://127.0.0.1:{args.port}"
            wait_for(base + "/api/v1/openapi.json")
            for who, token in tokens.items():
                report = Path(tmp) / f"{who}.ndjson"
                cmd = [
                    str(Path(PY).parent / "st"), "run", base + "/api/v1/openapi.json",
                    "-H", f"Authorization: Bearer {token}",
                    "--checks", "all",
                    "--exclude-checks", "positive_data_acceptance,ignored_auth",
                    "--max-examples", str(args.max_examples),
                    "--workers", args.workers,
                    "--phases", "examples,coverage,fuzzing",
                    "--suppress-health-check", "all",
                    "--report", "ndjson", "--report-ndjson-path", str(report),
                    "--no-color",
                    "--request-timeout", "30",
                ]  # fmt: skip
                print(
                    f"\n=== as {who}: {' '.join(c if 'Bearer' not in c else 'Authorization: Bearer …' for c in cmd)}"
                )
                done = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
                tail = done.stdout.strip().splitlines()[-40 if done.returncode == 0 else -400 :]
                print("\n".join(tail))
                failed |= done.returncode != 0
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            errors = (Path(tmp) / "server.log").read_text()
            crashes = len(re.findall(r'" 5\d\d \d+$', errors, re.M))
            print(f"\nserver errors (5xx in the server's log): {crashes}")
            if crashes:
                lines = errors.splitlines()
                for i, line in enumerate(lines):
                    if line.startswith("Traceback") and "Internal Server Error" in lines[i - 1]:
                        print("\n".join(x[:200] for x in lines[max(0, i - 3) : i + 40]))
                failed = True
    print("RESULT:", "FAILED" if failed else "passed (0 server errors, 0 schema violations)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
