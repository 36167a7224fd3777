#!/usr/bin/env python3
"""Newcomer entry point: `python3 dev.py demo` and `python3 dev.py test`.

Needs only Python 3.11+. It makes a virtual environment in .venv, installs Backcourse
with its development tools into it, and then runs the demo server or the tests.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".installed-pyproject"


def run(*args: str, **kwargs) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit("Backcourse needs Python 3.11 or newer.")
    if not PY.exists():
        print(f"Creating a virtual environment in {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = (ROOT / "pyproject.toml").read_text()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        run(str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(str(PY), "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(wanted)


def demo(args: list[str]) -> None:
    ensure_venv()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    # No worker runs with the demo: its emails (to the console) are sent at once.
    env.setdefault("EMAIL_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    # The default SQLite file lives in var/, which a fresh clone does not have (gitignored).
    Path(os.environ.get("BACKCOURSE_DATA_DIR") or ROOT / "var").mkdir(parents=True, exist_ok=True)
    manage = [str(PY), "manage.py"]
    run(*manage, "migrate", "--noinput", env=env)
    # Makes the demo once; later runs move its dates to today and print the logins.
    run(*manage, "seed_demo", "--if-empty", "--reanchor", env=env)
    address = args[0] if args else "127.0.0.1:8000"
    print(f"\nBackcourse demo at http://{address}/  (logins above)\n", flush=True)
    run(*manage, "runserver", address, env=env)


def test(args: list[str]) -> None:
    ensure_venv()
    if not Path("/usr/bin/chromium").exists():
        print("note: browser tests are skipped — install Debian's chromium for them.")
    # On every CPU (pytest-xdist), unless the arguments say how many: `-n 0` runs the
    # tests in this one process, as a debugger wants.
    if not any(arg.startswith(("-n", "--numprocesses")) for arg in args):
        args = ["-n", "auto", *args]
    run(str(PY), "-m", "pytest", *args)


def main() -> None:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 dev.py demo [ADDRESS] | python3 dev.py test [PYTEST ARGS]")
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
