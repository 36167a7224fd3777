"""The gunicorn settings file in the repository root, which the README's production
command picks up when run from there."""

import gc
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_finds_the_settings_file_and_its_hook_freezes_start_up_objects():
    config = Config()
    # gunicorn's default settings file: the one in the working directory
    assert config.settings["config"].get() == "./gunicorn.conf.py"
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    config.set("post_worker_init", namespace["post_worker_init"])
    before = gc.get_freeze_count()
    try:
        config.post_worker_init(worker=None)
        assert gc.get_freeze_count() > before  # the objects loaded so far are frozen
    finally:
        gc.unfreeze()
