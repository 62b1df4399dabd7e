"""The committed snapshot is exactly what the build script makes from the reference data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "pricing_reference"


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference data not found at {REFERENCE}")
def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "scripts/build_snapshot.py", "--reference", str(REFERENCE),
         "--out", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )
    built = json.loads((tmp_path / "manifest.json").read_text())
    shipped = json.loads((ROOT / "pricing_data" / "manifest.json").read_text())
    for name, entry in shipped["tables"].items():
        if entry.get("origin") != "embedded":
            continue  # a table replaced by a live refresh is expected to differ
        assert built["tables"][name]["sha256"] == entry["sha256"], name
        assert built["tables"][name]["rows"] == entry["rows"], name
