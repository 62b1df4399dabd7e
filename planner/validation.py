"""One-line messages for pydantic validation errors: ``field.path: what is allowed (got …)``.

The allowed range of a numeric field is read from its declared bounds (``ge``/``gt``/``le``/``lt``),
so a message states the whole range, e.g. ``items[0].count: must be in [1, 100000], got -2``.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from planner.errors import PlanFileError

ModelT = TypeVar("ModelT", bound=BaseModel)

_BOUND_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than",
                 "finite_number")


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
        raise PlanFileError(f"{source}: a {what} must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = describe_validation_error(exc, root=model, tags=tags, what=what)
        raise PlanFileError(f"{source}: {message}") from None


def describe_validation_error(
    error: ValidationError,
    *,
    root: type[BaseModel] | None = None,
    tags: Mapping[str, type[BaseModel]] | None = None,
    what: str = "input",
) -> str:
    """The first problem of ``error`` as one line, plus a count of the others.

    ``root`` is the validated model (``None`` when the top level is a tagged union); ``tags``
    maps a discriminator value (``compute``, ``training`` …) to its model, so paths through tagged
    unions resolve and the tag is left out of the printed path.
    """
    tags = tags or {}
    first = error.errors()[0]
    loc = list(first.get("loc", ()))
    field, info, model = _walk(loc, root, tags)
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    kind = first.get("type", "")
    got = first.get("input")
    ctx = first.get("ctx") or {}
    if kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "missing":
        bounds = field_range(info) if info is not None else None
        message = "required field is missing" + (f" (allowed {bounds})" if bounds else "")
    elif kind in _BOUND_ERRORS:
        bounds = field_range(info) if info is not None else None
        message = (f"must be in {bounds}" if bounds else message) + f", got {got!r}"
    elif kind in ("enum", "literal_error") and "expected" in ctx:
        message = f"must be {ctx['expected']}, got {got!r}"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        field = f"{field}.kind" if field else "kind"
        allowed = ", ".join(tags)
        found = got.get("kind") if isinstance(got, dict) else None
        message = (f"must be one of {allowed}, got {found!r}" if kind == "union_tag_invalid"
                   else f"required field is missing (one of {allowed})")
    elif kind.endswith(("_type", "_parsing")):
        message = f"{message}, got {got!r}"
    if kind == "value_error" and model is not None:
        head = message.split(":", 1)[0]
        if ":" in message and head.split("[")[0] in model.model_fields:
            field = ".".join(p for p in (field, head) if p) if head not in field else field
            message = message.split(":", 1)[1].strip()
    more = len(error.errors()) - 1
    suffix = f" (+{more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{field or what}: {message}{suffix}"


def _walk(
    loc: list[Any], root: type[BaseModel] | None, tags: Mapping[str, type[BaseModel]]
) -> tuple[str, FieldInfo | None, type[BaseModel] | None]:
    """Printed path, the last field's info, and the model that holds it."""
    path = ""
    model = root
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        if part in tags and (model is None or part not in model.model_fields):
            model = tags[part]
            continue
        path += ("." if path else "") + str(part)
        if model is None or part not in model.model_fields:
            info, model = None, None
            continue
        holder = model
        info = model.model_fields[part]
        model = _inner_model(info.annotation)
        if model is None:
            model = holder  # a leaf: keep its holder for value_error messages
    return path, info, model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The single model inside ``X``, ``X | None``, ``list[X]``, ``Annotated[X, …]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin is Annotated:
        return _inner_model(get_args(annotation)[0])
    if origin in (list, tuple, Union, types.UnionType):
        found = [m for m in (_inner_model(a) for a in get_args(annotation)) if m is not None]
        return found[0] if len(found) == 1 else None
    return None


def field_range(info: FieldInfo) -> str | None:
    """``[low, high]`` with round brackets for open ends, from the field's declared bounds."""
    low = high = None
    low_open = high_open = False
    for meta in _constraints(info.metadata, info.annotation):
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


def _constraints(metadata: list[Any], annotation: Any) -> list[Any]:
    """Field constraints, including those inside an ``Annotated[...] | None`` annotation."""
    found = list(metadata)
    for arg in get_args(annotation):
        if get_origin(arg) is Annotated:
            for item in get_args(arg)[1:]:
                found.extend(getattr(item, "metadata", []) or [item])
    return found
