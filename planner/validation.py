"""One-line messages for pydantic validation errors: ``field.path: what is allowed (got …)``.

The allowed values of a field are read from its declared type and bounds (``ge``/``gt``/``le``/
``lt``, lengths, enums), so a message states the whole range in the product's words, for list items,
mapping values and union members too, e.g. ``items[0].count: must be in [1, 100000], got -2`` or
``datasets[0].monthly_ingest_gb: must be a number in [0, 1e+12] or a list (up to 120 entries) of
numbers in [0, 1e+12], got 'lots'``. The bad value is quoted short and escaped
(:func:`planner.printable.echo`); the whole message is one printable line.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from planner.errors import PlanFileError
from planner.jsonfile import HugeInteger, NotANumber
from planner.printable import clip, echo, one_line

ModelT = TypeVar("ModelT", bound=BaseModel)

_BOUND_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than",
                 "finite_number")
_LENGTH_ERRORS = ("too_long", "too_short", "string_too_long", "string_too_short")
_PATH_PART_CHARS = 40
"""Longest user-given name (unknown field, mapping key) quoted in a path [characters]."""


def validate_document(
    model: type[ModelT],
    data: Any,
    *,
    source: str,
    what: str,
    tags: Mapping[str, type[BaseModel]] | None = None,
) -> ModelT:
    """Validate a decoded JSON document as ``model``; errors are one :class:`PlanFileError` line
    naming ``source``, the field and its allowed range."""
    if not isinstance(data, dict):
        raise PlanFileError(f"{source}: a {what} must be a JSON object, got {_kind_of(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = describe_validation_error(exc, root=model, tags=tags, what=what)
        raise PlanFileError(f"{source}: {message}") from None


def _kind_of(value: Any) -> str:
    if isinstance(value, HugeInteger | NotANumber):
        return "a number"
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false",
            type(None): "null"}.get(type(value), type(value).__name__)


def describe_validation_error(
    error: ValidationError,
    *,
    root: type[BaseModel] | None = None,
    tags: Mapping[str, type[BaseModel]] | None = None,
    what: str = "input",
) -> str:
    """The first problem of ``error`` as one printable line, plus a count of the others.

    ``root`` is the validated model (``None`` when the top level is a tagged union); ``tags``
    maps a discriminator value (``compute``, ``training`` …) to its model, so paths through tagged
    unions resolve and the tag is left out of the printed path. A value that fails every member of
    a union is one problem, reported at the member it came closest to matching.
    """
    tags = tags or {}
    problems: dict[str, tuple[dict[str, Any], _Spot]] = {}
    for err in error.errors():
        spot = _walk(list(err.get("loc", ())), root, tags)
        seen = problems.get(spot.path)
        if seen is None or (_is_type_error(seen[0]) and not _is_type_error(err)):
            problems[spot.path] = (dict(err), spot)
    for path in [p for p, (err, _) in problems.items() if _is_type_error(err)]:
        # a union member that took the value's type got further: its problem is the one to report
        if any(other.startswith((f"{path}[", f"{path}.")) for other in problems if path):
            del problems[path]
    first, spot = next(iter(problems.values()))
    field, message = _message(first, spot, tags)
    more = len(problems) - 1
    suffix = f" (+{more} more problem{'s' if more > 1 else ''})" if more else ""
    if not field and first.get("type") == "value_error":  # a rule of the whole document
        return one_line(f"{message}{suffix}")
    return one_line(f"{field or what}: {message}{suffix}")


def _is_type_error(err: Mapping[str, Any]) -> bool:
    return str(err.get("type", "")).endswith(("_type", "_parsing"))


def _message(err: Mapping[str, Any], spot: _Spot, tags: Mapping[str, Any]) -> tuple[str, str]:
    """(printed field path, what is wrong) for one pydantic error."""
    field = spot.path
    kind = str(err.get("type", ""))
    got = err.get("input")
    ctx = err.get("ctx") or {}
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    allowed = _allowed(spot.annotation, spot.constraints) if spot.known else None
    if spot.union is not None and _is_type_error(err):
        allowed = _allowed(*spot.union)  # the value fit no member: say what every member allows
    if kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "missing":
        message = "required field is missing" + (f" (allowed: {allowed})" if allowed else "")
    elif kind in _BOUND_ERRORS:
        bounds = _range(spot.constraints)
        message = (f"must be in {bounds}" if bounds else f"must be {allowed or 'a finite number'}")
        message += f", got {echo(got)}"
    elif kind in ("enum", "literal_error") and "expected" in ctx:
        message = f"must be {ctx['expected']}, got {echo(got)}"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        field = f"{field}.kind" if field else "kind"
        choices = ", ".join(tags)
        found = got.get("kind") if isinstance(got, dict) else None
        message = (f"must be one of {choices}, got {echo(found)}" if kind == "union_tag_invalid"
                   else f"required field is missing (one of {choices})")
    elif kind in _LENGTH_ERRORS or _is_type_error(err) or kind.startswith("int_"):
        message = f"must be {allowed or _plain_type(kind)}, got {echo(got)}"
    if kind == "value_error" and spot.model is not None:
        head = message.split(":", 1)[0]
        if ":" in message and head.split("[")[0] in spot.model.model_fields:
            field = ".".join(p for p in (field, head) if p) if head not in field else field
            message = message.split(":", 1)[1].strip()
    return field, message


def _plain_type(kind: str) -> str:
    for prefix, words in (("int", "a whole number"), ("float", "a number"), ("string", "text"),
                          ("bool", "true or false"), ("list", "a list"), ("dict", "an object"),
                          ("model", "an object")):
        if kind.startswith(prefix):
            return words
    return "valid"


# --- walking a loc through the declared types ---------------------------------------------------


class _Spot:
    """Where an error's loc points: printed path, the type found there and its constraints."""

    def __init__(self) -> None:
        self.path = ""
        self.annotation: Any = None
        self.constraints: list[Any] = []
        self.model: type[BaseModel] | None = None
        """The model holding the last field (for value_error messages)."""
        self.known = True
        """False once the loc leaves the declared types (an unknown field)."""
        self.union: tuple[Any, list[Any]] | None = None
        """The union (and its constraints) when the loc ends at one of its members."""


def _walk(loc: list[Any], root: type[BaseModel] | None, tags: Mapping[str, type[BaseModel]]) -> _Spot:
    spot = _Spot()
    spot.annotation = root
    spot.model = root
    index = 0
    while index < len(loc):
        part = loc[index]
        index += 1
        ann, metadata = _peel(spot.annotation)
        if metadata:
            spot.constraints = [*spot.constraints, *metadata]
        spot.annotation = ann
        members = _members(ann)
        if isinstance(part, str) and part in tags and (
            ann is None or len(members) > 1 or not _is_model(ann) or part not in ann.model_fields
        ):
            spot.annotation, spot.constraints, spot.model = tags[part], [], tags[part]
            continue
        if len(members) > 1 and isinstance(part, str):
            spot.union = (ann, spot.constraints)
            spot.annotation = _member_for(part, members)
            continue
        spot.union = None
        if len(members) == 1 and members[0] is not ann:
            spot.annotation = members[0]  # X | None: look again with X
            index -= 1
            continue
        origin = get_origin(ann)
        if isinstance(part, int) and origin in (list, tuple):
            spot.path += f"[{part}]"
            spot.annotation, spot.constraints = (get_args(ann) or (Any,))[0], []
            continue
        if origin is dict:
            key_type, value_type = get_args(ann) or (Any, Any)
            if index < len(loc) and loc[index] == "[key]":
                index += 1
                spot.path += f"[{_quote_key(part)}] (the name)"
                spot.annotation, spot.constraints = key_type, []
            else:
                spot.path += f"[{_quote_key(part)}]"
                spot.annotation, spot.constraints = value_type, []
            continue
        if _is_model(ann) and isinstance(part, str) and part in ann.model_fields:
            info: FieldInfo = ann.model_fields[part]
            spot.path += ("." if spot.path else "") + part
            spot.model = ann
            spot.annotation, spot.constraints = info.annotation, list(info.metadata)
            continue
        spot.path += ("." if spot.path else "") + clip(one_line(str(part)), _PATH_PART_CHARS)
        spot.annotation, spot.constraints, spot.known = None, [], False
    ann, metadata = _peel(spot.annotation)
    members = _members(ann)
    if len(members) == 1 and members[0] is not ann:  # X | None
        ann, more = _peel(members[0])
        metadata = [*metadata, *more]
    spot.annotation, spot.constraints = ann, [*spot.constraints, *metadata]
    return spot


def _quote_key(key: Any) -> str:
    return repr(clip(one_line(str(key)), _PATH_PART_CHARS))


def _peel(annotation: Any) -> tuple[Any, list[Any]]:
    """``Annotated[X, …]`` → (X, its constraints), repeatedly."""
    metadata: list[Any] = []
    while get_origin(annotation) is Annotated:
        args = get_args(annotation)
        for item in args[1:]:
            metadata.extend(getattr(item, "metadata", None) or [item])
        annotation = args[0]
    return annotation, metadata


def _members(annotation: Any) -> list[Any]:
    """The non-None members of a union (``[annotation]`` for anything else)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [a for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _member_for(label: str, members: list[Any]) -> Any:
    """The union member pydantic names ``label`` (``constrained-float``, ``list[…]``, a model)."""
    for member in members:
        base, _ = _peel(member)
        origin = get_origin(base)
        if origin in (list, tuple) and label.startswith(("list[", "tuple[")):
            return member
        if origin is dict and label.startswith("dict["):
            return member
        if _is_model(base) and base.__name__ in label:
            return member
    for member in members:
        base, _ = _peel(member)
        if get_origin(base) not in (list, tuple, dict) and not _is_model(base):
            return member
    return members[0]


# --- what a type allows, in words ---------------------------------------------------------------


def _allowed(annotation: Any, constraints: list[Any]) -> str | None:
    """The values ``annotation`` (with ``constraints``) allows, e.g. ``a number in [0, 1e+12]``."""
    annotation, extra = _peel(annotation)
    constraints = [*constraints, *extra]
    members = _members(annotation)
    if len(members) > 1:
        words = [w for w in (_allowed(m, constraints) for m in members) if w]
        return " or ".join(dict.fromkeys(words)) or None
    annotation = members[0]
    bounds = _range(constraints)
    origin = get_origin(annotation)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number" + (f" in {bounds}" if bounds else "")
    if annotation is float:
        return "a number" + (f" in {bounds}" if bounds else "")
    if annotation is str:
        return "text" + _length_words(constraints, "characters")
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(str(m.value) for m in annotation)
    if origin is Literal:
        return "one of " + ", ".join(str(v) for v in get_args(annotation))
    if origin in (list, tuple):
        inner = _allowed((get_args(annotation) or (Any,))[0], []) or "values"
        return "a list" + _length_words(constraints, "entries") + f" of {_plural(inner)}"
    if origin is dict:
        key_type, value_type = get_args(annotation) or (Any, Any)
        keys = _allowed(key_type, []) or "names"
        values = _allowed(value_type, []) or "values"
        return ("an object" + _length_words(constraints, "entries")
                + f" whose names are {keys} and values {_plural(values)}")
    if _is_model(annotation):
        return "an object"
    return None


def _plural(words: str) -> str:
    for single, many in (("a whole number", "whole numbers"), ("a number", "numbers"),
                         ("an object", "objects"), ("a list", "lists")):
        if words.startswith(single):
            return many + words[len(single):]
    return words


def _length_words(constraints: list[Any], unit: str) -> str:
    low = next((m.min_length for m in constraints if getattr(m, "min_length", None)), None)
    high = next((m.max_length for m in constraints if getattr(m, "max_length", None)), None)
    if low and high:
        return f" ({low:,} {unit})" if low == high else f" ({low:,}-{high:,} {unit})"
    if high:
        return f" (up to {high:,} {unit})"
    if low:
        return f" (at least {low:,} {unit})"
    return ""


def _range(constraints: list[Any]) -> str | None:
    """``[low, high]`` with round brackets for open ends, from declared bounds."""
    low = high = None
    low_open = high_open = False
    for meta in constraints:
        if getattr(meta, "gt", None) is not None:
            low, low_open = meta.gt, True
        if getattr(meta, "ge", None) is not None:
            low, low_open = meta.ge, False
        if getattr(meta, "lt", None) is not None:
            high, high_open = meta.lt, True
        if getattr(meta, "le", None) is not None:
            high, high_open = meta.le, False
    if low is None and high is None:
        return None
    left = ("(" if low_open else "[") + (f"{low:g}" if low is not None else "-inf")
    right = (f"{high:g}" if high is not None else "inf") + (")" if high_open else "]")
    return f"{left}, {right}"


def field_bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    """The declared ``(low, high)`` of a numeric field of ``model`` (open ends as ±inf), so a form
    checks the same range the document schema does."""
    info = model.model_fields[name]
    annotation, metadata = _peel(info.annotation)
    for member in _members(annotation):
        metadata.extend(_peel(member)[1])
    low, high = -float("inf"), float("inf")
    for meta in [*info.metadata, *metadata]:
        for attr in ("gt", "ge"):
            if getattr(meta, attr, None) is not None:
                low = float(getattr(meta, attr))
        for attr in ("lt", "le"):
            if getattr(meta, attr, None) is not None:
                high = float(getattr(meta, attr))
    return low, high


def field_range(info: FieldInfo) -> str | None:
    """The allowed range of a model field, from its declared bounds (``None`` if unbounded)."""
    annotation, metadata = _peel(info.annotation)
    for member in _members(annotation):
        metadata.extend(_peel(member)[1])
    return _range([*info.metadata, *metadata])
