"""Dependencies go one way: the schemas declare the return, the pipeline uses them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_schemas_load_no_module_of_the_pipeline():
    # A fresh interpreter: in this one, other tests have imported the pipeline already.
    probe = (
        "import sys, schemas, schemas.reference, schemas.value_lists; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pipeline'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"
