"""``planner app``: start the Streamlit app on the embedded snapshot."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "start the browser app (Streamlit) on this machine"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")


def run(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    if not 1 <= args.port <= 65535:
        from planner.errors import InputError

        raise InputError("--port", f"must be 1 to 65535 (got {args.port})")
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port)]
    os.execv(sys.executable, command)
    return 0  # pragma: no cover - execv does not return
