"""Dependencies go one way: the schemas declare the return, the pipeline uses them."""

from __future__ import annotations

import ast
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


STAGES = ("read", "validate", "load", "contexts", "render", "feedback")  # the data's way
AROUND = ("run", "cli", "check", "status", "export", "prefill", "distribute", "summary", "sent")


def pipeline_imports(module: str) -> set[str]:
    """The pipeline modules ``pipeline/<module>.py`` imports, read from its source."""
    tree = ast.parse((ROOT / "pipeline" / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "pipeline":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("pipeline."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("pipeline.")}
    return found


def test_no_stage_imports_a_later_stage_or_the_commands():
    for i, stage in enumerate(STAGES):
        imported = pipeline_imports(stage)
        assert not imported & set(STAGES[i + 1 :]), (stage, imported & set(STAGES[i + 1 :]))
        assert not imported & set(AROUND), (stage, imported & set(AROUND))
