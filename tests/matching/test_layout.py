"""matching is a pure library: importing all of it pulls in neither the service nor the task queue."""

from __future__ import annotations

import subprocess
import sys


def test_matching_imports_no_service_code() -> None:
    code = (
        "import sys, matching, matching.evaluate, matching.learning, matching.synth;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'services', 'jobs', 'sqlalchemy', "
        "'fastapi', 'celery'});"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
