"""Which code may import what (DESIGN §1), checked on every module's import statements.

Ruff's banned-import rule guards ``planner/`` against UI, AWS and database packages but has to be
switched off whole for the places allowed one of them; this test states each package's allowed
importers, so a page importing SQLAlchemy or the domain importing the UI fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((ROOT / "planner").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py")),
           *sorted((ROOT / "ui").rglob("*.py")), ROOT / "streamlit_app.py"]
ALLOWED = {
    "streamlit": ("pages/", "ui/", "streamlit_app.py"),
    "plotly": ("ui/",),
    "boto3": ("planner/refresh/",),
    "botocore": ("planner/refresh/",),
    "sqlalchemy": ("planner/store/",),
    "alembic": ("planner/store/",),
    "psycopg": ("planner/store/",),
    "ui": ("pages/", "ui/", "streamlit_app.py"),
    "pages": (),
}
"""Top-level package → the only places (path prefixes) that may import it."""


def imported(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (absolute imports, lazy ones included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    where = path.relative_to(ROOT).as_posix()
    wrong = sorted(
        name for name in imported(path)
        if name in ALLOWED and not where.startswith(ALLOWED[name])
    )
    assert not wrong, f"{where} imports {', '.join(wrong)}"


def test_the_check_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    import sqlalchemy.orm\n    from plotly import graph_objects\n")
    assert imported(module) == {"sqlalchemy", "plotly"}
