"""Entry point of the ``planner`` command.

Each command lives in its own module ``planner.cli.cmd_<name>`` exposing ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import only the standard library
at top level; pandas and the catalog are imported inside ``run`` so ``--help`` and start-up stay fast.
User errors (:class:`planner.errors.PlannerError`) print one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, str] = {
    "prices": "planner.cli.cmd_prices",
    "cost": "planner.cli.cmd_cost",
    "compare": "planner.cli.cmd_compare",
    "fit": "planner.cli.cmd_fit",
    "lifecycle": "planner.cli.cmd_lifecycle",
    "s3-lifecycle": "planner.cli.cmd_s3_lifecycle",
    "rightsize": "planner.cli.cmd_rightsize",
    "refresh": "planner.cli.cmd_refresh",
    "plans": "planner.cli.cmd_plans",
    "app": "planner.cli.cmd_app",
}
"""Command name → module."""

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage dump) and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USER_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="planner",
        description="Plan what AWS compute and storage will cost for ML work.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USER_ERROR
    from planner.errors import PlannerError

    try:
        return int(args._run(args) or 0)
    except PlannerError as exc:
        sys.stderr.write(f"planner {args.command}: error: {exc}\n")
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `planner prices | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
