"""Share links: a plan encoded in the URL query string and validated when it is opened.

Token = URL-safe base64 (no padding) of the zlib-compressed compact JSON of the plan. Tokens above
:data:`MAX_TOKEN_CHARS` are refused: browsers and proxies cut URLs of more than about 8 KB
(RFC 9110 §4.1 recommends supporting at least 8,000 octets). The same limits hold both ways:
:func:`encode_plan` refuses a plan that :func:`decode_plan` would refuse (its JSON over
:data:`MAX_JSON_BYTES`, its token over :data:`MAX_TOKEN_CHARS`), and :func:`share_link` refuses a
whole link over :data:`MAX_LINK_CHARS`. A token cut short fails zlib's end-of-stream and Adler-32
check, so a partly copied link never opens as if it were whole.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from planner.errors import PlanFileError
from planner.jsonfile import decode_json
from planner.plan import Plan, plan_from_dict, plan_to_dict

MAX_TOKEN_CHARS = 6000
"""Longest token accepted [characters], leaving room for the rest of the URL under 8 KB."""
MAX_JSON_BYTES = 200_000
"""Largest decompressed plan accepted [bytes] (guards against zip bombs)."""
MAX_LINK_CHARS = 8000
"""Longest whole link made [characters] (RFC 9110 §4.1)."""
QUERY_PARAM = "plan"
_TOO_LARGE = "plan too large to share as a link ({what}); download the plan JSON instead"


def encode_plan(plan: Plan) -> str:
    """The share token of ``plan``; raises PlanFileError when the plan is too large to share."""
    text = json.dumps(plan_to_dict(plan), separators=(",", ":"), sort_keys=True).encode("utf-8")
    if len(text) > MAX_JSON_BYTES:
        raise PlanFileError("share link: " + _TOO_LARGE.format(
            what=f"{len(text):,} bytes of plan, limit {MAX_JSON_BYTES:,}"))
    token = base64.urlsafe_b64encode(zlib.compress(text, 9)).decode("ascii").rstrip("=")
    if len(token) > MAX_TOKEN_CHARS:
        raise PlanFileError("share link: " + _TOO_LARGE.format(
            what=f"{len(token):,} characters, limit {MAX_TOKEN_CHARS:,}"))
    return token


def share_link(plan: Plan, base_url: str) -> str:
    """``base_url?plan=<token>``; raises PlanFileError when the whole link is too long."""
    link = f"{base_url.split('?')[0]}?{QUERY_PARAM}={encode_plan(plan)}"
    if len(link) > MAX_LINK_CHARS:
        raise PlanFileError("share link: " + _TOO_LARGE.format(
            what=f"{len(link):,} characters, limit {MAX_LINK_CHARS:,}"))
    return link


def decode_plan(token: str) -> Plan:
    """The plan a share token carries, validated like a plan file."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise PlanFileError(
            f"share link: token must be 1 to {MAX_TOKEN_CHARS:,} characters (got {len(token):,})"
        )
    damaged = PlanFileError("share link: the token is damaged (copy the whole link)")
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_JSON_BYTES)
    except (binascii.Error, ValueError, zlib.error):  # not base64 (or not ASCII), not zlib
        raise damaged from None
    if inflater.unconsumed_tail:
        raise PlanFileError(f"share link: plan larger than {MAX_JSON_BYTES:,} bytes")
    if not inflater.eof or inflater.unused_data:  # cut short, or with bytes after the end
        raise damaged
    return plan_from_dict(decode_json(text, source="share link"), source="share link")
