"""Share links: a plan encoded in the URL query string and validated when it is opened.

Token = URL-safe base64 (no padding) of the zlib-compressed compact JSON of the plan. Tokens above
:data:`MAX_TOKEN_CHARS` are refused: browsers and proxies cut URLs of more than about 8 KB
(RFC 9110 §4.1 recommends supporting at least 8,000 octets).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from planner.errors import PlanFileError
from planner.plan import Plan, plan_from_dict, plan_to_dict

MAX_TOKEN_CHARS = 6000
"""Longest token accepted [characters], leaving room for the rest of the URL under 8 KB."""
MAX_JSON_BYTES = 200_000
"""Largest decompressed plan accepted [bytes] (guards against zip bombs)."""
QUERY_PARAM = "plan"


def encode_plan(plan: Plan) -> str:
    """The share token of ``plan``; raises PlanFileError when the plan is too large to share."""
    text = json.dumps(plan_to_dict(plan), separators=(",", ":"), sort_keys=True)
    token = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
    token = token.rstrip("=")
    if len(token) > MAX_TOKEN_CHARS:
        raise PlanFileError(
            f"share link: plan too large to share ({len(token):,} characters, limit "
            f"{MAX_TOKEN_CHARS:,}); download the plan JSON instead"
        )
    return token


def decode_plan(token: str) -> Plan:
    """The plan a share token carries, validated like a plan file."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise PlanFileError(
            f"share link: token must be 1 to {MAX_TOKEN_CHARS:,} characters (got {len(token):,})"
        )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_JSON_BYTES)
        too_large = bool(inflater.unconsumed_tail)
        data = None if too_large else json.loads(text.decode("utf-8"))
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        raise PlanFileError("share link: the token is damaged (copy the whole link)") from None
    if too_large:
        raise PlanFileError(f"share link: plan larger than {MAX_JSON_BYTES:,} bytes")
    return plan_from_dict(data, source="share link")
