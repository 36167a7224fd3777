"""A web worker and the task worker start without the statistics libraries: scipy is
imported only where a course curve is fitted (its ~80 MB would otherwise sit in every
process, against the 150 MB budget of issue 15)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import sys
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
from django.urls import get_resolver
get_resolver().url_patterns
import backcourse.notifications.tasks, backcourse.outcomes.tasks
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'weasyprint', 'matplotlib', 'pandas'})
print(','.join(heavy) or 'none')
"""


def test_the_web_app_and_its_tasks_load_without_scipy():
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backcourse.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "none"
