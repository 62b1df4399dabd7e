"""``planner plans …``: the saved plans of the plan store (``PLANNER_DB_URL`` or ``--db``).

``list`` · ``show`` (the same cost output as ``planner cost``) · ``save`` · ``delete`` · ``history``
· ``diff`` · ``export`` (the plan file) · ``import``. A plan is named by its id (``12`` or ``#12``)
or its exact name. ``save`` onto an existing plan with ``--expected-version`` is refused when
someone saved it since (the message says so; ``--as-new`` saves a new plan instead).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from planner.cli.output import add_format_argument

if TYPE_CHECKING:
    from planner.store import Store

HELP = "saved plans in the plan store: list, show, save, delete, history, diff, export, import"

LIST_COLUMNS = (
    "id", "name", "region", "months", "items", "version", "monthly_usd", "duration_total_usd",
    "snapshot", "updated", "by",
)
HISTORY_COLUMNS = ("version", "name", "author", "saved_at", "note", "monthly_usd",
                   "duration_total_usd")


def _db_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--db", default=default, metavar="URL",
                        help="database URL (default: PLANNER_DB_URL, else the user's data folder)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _db_option(parser, None)
    sub = parser.add_subparsers(dest="plans_command", metavar="ACTION", required=True,
                                parser_class=type(parser))

    p = sub.add_parser("list", help="saved plans, most recently updated first")
    p.add_argument("--search", default="", help="only plans whose name contains this text")
    p.add_argument("--deleted", action="store_true", help="include deleted plans")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("show", help="cost a saved plan (the same output as `planner cost`)")
    p.add_argument("plan", metavar="NAME_OR_ID")
    p.add_argument("--version", type=int, default=None, help="an older version (default latest)")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("save", help="save a plan file as a new plan, or as a plan's next version")
    p.add_argument("file", metavar="PLAN.json")
    p.add_argument("--to", default=None, metavar="NAME_OR_ID",
                   help="save as the next version of this saved plan (default: a new plan)")
    p.add_argument("--expected-version", type=int, default=None,
                   help="refuse the save unless the plan's latest version is still this one")
    p.add_argument("--as-new", action="store_true",
                   help="on a version conflict, save as a new plan instead of failing")
    p.add_argument("--author", default="", help="who saves (free text, kept in the history)")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("delete", help="delete a saved plan (its history stays; --undo restores)")
    p.add_argument("plan", metavar="NAME_OR_ID")
    p.add_argument("--undo", action="store_true", help="bring a deleted plan back")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("history", help="every version of a saved plan, newest first")
    p.add_argument("plan", metavar="NAME_OR_ID")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("diff", help="what changed between two versions of a plan")
    p.add_argument("plan", metavar="NAME_OR_ID")
    p.add_argument("before", type=int, metavar="VERSION_A")
    p.add_argument("after", type=int, metavar="VERSION_B")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("export", help="write a saved plan's plan file (JSON)")
    p.add_argument("plan", metavar="NAME_OR_ID")
    p.add_argument("--version", type=int, default=None, help="an older version (default latest)")
    p.add_argument("-o", "--output", default=None, help="file to write (default stdout)")
    _db_option(p, argparse.SUPPRESS)

    p = sub.add_parser("import", help="save plan files as new saved plans")
    p.add_argument("files", nargs="+", metavar="PLAN.json")
    p.add_argument("--author", default="", help="who saves (free text, kept in the history)")
    add_format_argument(p)
    _db_option(p, argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from planner.store import open_store

    catalog = None
    if args.plans_command in ("show", "save", "import"):
        from planner.catalog import load_catalog

        catalog = load_catalog()
    store = open_store(args.db, catalog=catalog)
    try:
        return int(ACTIONS[args.plans_command](store, args) or 0)
    finally:
        store.close()


def _emit(args: argparse.Namespace, rows: list[dict[str, Any]], columns: tuple[str, ...],
          key: str) -> None:
    from planner.cli.output import to_csv, to_json, to_table

    if args.format == "json":
        sys.stdout.write(to_json({key: rows}))
    elif args.format == "csv":
        sys.stdout.write(to_csv(rows, columns))
    else:
        sys.stdout.write(to_table(rows, columns) if rows else f"no {key.replace('_', ' ')}\n")


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


def _list(store: Store, args: argparse.Namespace) -> int:
    rows = [
        {"id": s.plan_id, "name": s.name + (" (deleted)" if s.deleted else ""),
         "region": s.region, "months": s.duration_months, "items": s.item_count,
         "version": s.version, "monthly_usd": s.totals.monthly_usd,
         "duration_total_usd": s.totals.duration_total_usd, "snapshot": s.totals.snapshot_as_of,
         "updated": s.updated_at.isoformat() if args.format == "json" else _when(s.updated_at),
         "by": s.updated_by}
        for s in store.plans.list_plans(args.search, include_deleted=args.deleted)
    ]
    _emit(args, rows, LIST_COLUMNS, "plans")
    return 0


def _show(store: Store, args: argparse.Namespace) -> int:
    from planner.cli.cmd_cost import write_cost
    from planner.costing import cost_plan

    saved = store.plans.find(args.plan)
    if args.version is not None:
        saved = store.plans.get(saved.plan_id, args.version)
    assert store.plans.catalog is not None
    write_cost(cost_plan(saved.plan, store.plans.catalog), args.format)
    return 0


def _saved_line(args: argparse.Namespace, saved: Any, verb: str) -> None:
    from planner.cli.output import to_json

    record = {"id": saved.plan_id, "name": saved.plan.name, "version": saved.version,
              "author": saved.author}
    if args.format == "json":
        sys.stdout.write(to_json(record))
    elif args.format == "csv":
        from planner.cli.output import to_csv

        sys.stdout.write(to_csv([record], tuple(record)))
    elif verb == "deleted":
        sys.stdout.write(f"deleted plan {saved.plan.name!r} (#{saved.plan_id}); undo with "
                         f"`planner plans delete {saved.plan_id} --undo`\n")
    else:
        sys.stdout.write(f"{verb} plan {saved.plan.name!r} as #{saved.plan_id} version "
                         f"{saved.version}\n")


def _save(store: Store, args: argparse.Namespace) -> int:
    from planner.plan import load_plan
    from planner.store import VersionConflict

    plan = load_plan(args.file)
    target = store.plans.find(args.to).plan_id if args.to else None
    try:
        saved = store.plans.save(plan, author=args.author, plan_id=target,
                                 expected_version=args.expected_version)
    except VersionConflict as conflict:
        if not args.as_new:
            raise
        sys.stderr.write(f"planner plans save: {conflict}\n")
        saved = store.plans.save(plan, author=args.author,
                                 note=f"saved as new after a conflict on #{conflict.record_id}")
    _saved_line(args, saved, "saved")
    return 0


def _delete(store: Store, args: argparse.Namespace) -> int:
    if args.undo:
        text = args.plan.strip()
        plan_id = int(text.removeprefix("#")) if text.removeprefix("#").isdigit() else next(
            (s.plan_id for s in store.plans.list_plans(include_deleted=True)
             if s.deleted and s.name == text), None)
        if plan_id is None:
            from planner.store import NotFoundError

            raise NotFoundError(f"no deleted plan named {text!r}")
        store.plans.undelete(plan_id)
        saved = store.plans.get(plan_id)
        _saved_line(args, saved, "brought back")
        return 0
    saved = store.plans.find(args.plan)
    store.plans.delete(saved.plan_id)
    _saved_line(args, saved, "deleted")
    return 0


def _history(store: Store, args: argparse.Namespace) -> int:
    saved = store.plans.find(args.plan)
    rows = [
        {"version": v.version, "name": v.name, "author": v.author,
         "saved_at": v.saved_at.isoformat() if args.format == "json" else _when(v.saved_at),
         "note": v.note, "monthly_usd": v.totals.monthly_usd,
         "duration_total_usd": v.totals.duration_total_usd}
        for v in store.plans.history(saved.plan_id)
    ]
    _emit(args, rows, HISTORY_COLUMNS, "versions")
    return 0


def _diff(store: Store, args: argparse.Namespace) -> int:
    from planner.store import DIFF_COLUMNS, diff_rows

    saved = store.plans.find(args.plan)
    rows = diff_rows(store.plans.diff(saved.plan_id, args.before, args.after))
    if args.format == "table":
        rows = [{k: ("—" if v is None else v if isinstance(v, int | float) and not isinstance(
            v, bool) else str(v)) for k, v in row.items()} for row in rows]
    _emit(args, rows, DIFF_COLUMNS, "changes")
    if args.format == "table" and all(row["change"] == "total" for row in rows):
        sys.stdout.write(f"versions {args.before} and {args.after} have the same settings and items\n")
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    from planner.plan import plan_to_json, save_plan

    saved = store.plans.find(args.plan)
    if args.version is not None:
        saved = store.plans.get(saved.plan_id, args.version)
    if args.output:
        try:
            save_plan(saved.plan, args.output)
        except OSError as exc:
            from planner.errors import InputError

            raise InputError("--output", f"cannot write {args.output} ({exc.strerror})") from None
        sys.stderr.write(f"wrote {args.output}\n")
    else:
        sys.stdout.write(plan_to_json(saved.plan))
    return 0


def _import(store: Store, args: argparse.Namespace) -> int:
    from planner.plan import load_plan

    plans = [load_plan(path) for path in args.files]  # all files valid before any is saved
    for plan in plans:
        _saved_line(args, store.plans.save(plan, author=args.author, note="imported"), "imported")
    return 0


ACTIONS = {
    "list": _list, "show": _show, "save": _save, "delete": _delete, "history": _history,
    "diff": _diff, "export": _export, "import": _import,
}
