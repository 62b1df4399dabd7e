"""Entry point of the ``planner`` command.

Each command lives in its own module ``planner.cli.cmd_<name>`` exposing ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import only the standard library
at top level; pandas and the catalog are imported inside ``run`` so ``--help`` and start-up stay fast.
User errors (:class:`planner.errors.PlannerError`) print one line on stderr and exit 2.

Called with no ``argv`` — the ``planner`` script and ``python -m planner`` — :func:`main` runs the
process's own command line, and the process exits when it returns: see :func:`_process_ends`.

Everything a command prints goes through :func:`planner.printable.printable`, so a name holding
ESC, CR or a bidi override is shown escaped, never acted on by the terminal. Negative-looking
numbers (``-5``, ``-1e3``, ``-inf``) are read as values, so ``--max-hours -inf`` gets the option's
own range error instead of "expected one argument".
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from planner.printable import clip, one_line, printable

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
MAX_ERROR_CHARS = 600
"""Longest error line printed [characters]; messages quote values capped well below this."""

NEGATIVE_NUMBER = re.compile(
    r"^-(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|infinity|nan)$", re.IGNORECASE
)
"""What argparse should read as a (negative) number rather than an option."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one printable line (no usage dump) and exit code 2, and
    negative-looking numbers are values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {clip(one_line(message), MAX_ERROR_CHARS)}\n")
        raise SystemExit(EXIT_USER_ERROR)


class _Printable:
    """A text stream that escapes control characters (newlines pass) before writing them."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        # line by line, the same text as printable(text): a line with nothing to escape takes
        # its fast path (a whole table or CSV always holds newlines, so it never would)
        self._stream.write("\n".join([printable(line) for line in text.split("\n")]))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def _printable_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout = _Printable(saved[0])
    sys.stderr = _Printable(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _option_names(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """A command's option destinations → the flag a user types (``max_hours`` → ``--max-hours``)."""
    sub = next(
        (a.choices[command] for a in parser._actions
         if isinstance(a, argparse._SubParsersAction) and command in a.choices),
        None,
    )
    names: dict[str, str] = {}
    for action in sub._actions if sub is not None else ():
        if action.option_strings:
            names[action.dest] = action.option_strings[-1]
            names[f"{action.dest}_usd"] = action.option_strings[-1]
    return names


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
    """Run one command; ``argv`` None: this process's command line (the process ends next)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USER_ERROR
    code = _run(parser, args)
    if argv is None:
        _process_ends()
    return code


def _process_ends() -> None:
    """The command is done and the interpreter exits next; what is alive now lives until then.

    Freezing it (``gc.freeze``) takes it out of the cyclic collector's reach, so the exit does not
    collect and tear down, one by one, the reference cycles that pandas, pyarrow and pydantic
    leave (their classes, functions and caches): ~0.15 s of a cold ``planner compare``, ~0.1 s of
    it the same teardown a bare ``import pandas`` process does; the operating system reclaims the
    memory at once. The rest of the exit is unchanged: stdout and stderr are flushed, ``atexit``
    handlers run, and objects not in cycles are freed as usual; ``__del__`` of an object still in
    a cycle may not run, which Python's exit never promised (every file the CLI writes is closed
    before this point). Not for :func:`main` called with ``argv`` (tests, embedding): that process
    goes on."""
    import gc

    gc.freeze()


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from planner.errors import InputError, PlannerError

    with _printable_output():
        try:
            return int(args._run(args) or 0)
        except PlannerError as exc:
            message = str(exc)
            if isinstance(exc, InputError):
                flag = _option_names(parser, args.command).get(exc.field)
                message = f"{flag}: {exc.problem}" if flag else message
            sys.stderr.write(
                f"planner {args.command}: error: {clip(one_line(message), MAX_ERROR_CHARS)}\n"
            )
            return EXIT_USER_ERROR
        except BrokenPipeError:  # e.g. `planner prices | head`
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
