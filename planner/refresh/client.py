"""AWS sessions and clients for a price refresh, with retries and one-line error messages.

Only this package imports boto3/botocore. Credentials come from the standard chain (environment,
shared config/credentials files, SSO, instance/container roles) or a named profile; they are never
stored, printed or logged — messages name the profile at most.

Every AWS call goes through :func:`call` (retry with exponential back-off on throttling and
transient server errors, then :class:`~planner.errors.RefreshError`) and paginated calls through
:func:`pages`, which numbers the pages so a failure says where it stopped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions as bex
from botocore.config import Config

from planner.errors import RefreshError

SAVINGS_PLANS_REGION = "us-east-1"
"""The Savings Plans API is global (savingsplans.amazonaws.com, credential scope us-east-1)."""

IAM_ACTIONS: dict[str, str] = {
    "get_products": "pricing:GetProducts",
    "describe_services": "pricing:DescribeServices",
    "list_price_lists": "pricing:ListPriceLists",
    "get_price_list_file_url": "pricing:GetPriceListFileUrl",
    "describe_spot_price_history": "ec2:DescribeSpotPriceHistory",
    "describe_savings_plans_offering_rates": "savingsplans:DescribeSavingsPlansOfferingRates",
}
"""IAM action each boto3 operation needs (AWS Service Authorization Reference)."""

ALL_IAM_ACTIONS = ", ".join(IAM_ACTIONS.values())

MAX_ATTEMPTS = 5
"""Tries per call before a throttled or failing call becomes a RefreshError."""

BACKOFF_BASE_S = 0.5
"""First back-off pause [s]; doubles per retry (0.5, 1, 2, 4 s) with up to 50 % random jitter."""

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "SlowDown",
        "RequestThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {"InternalErrorException", "InternalError", "ServiceUnavailable", "Unavailable", "InternalFailure"}
)
ACCESS_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
    }
)
TOKEN_CODES = frozenset({"InvalidNextTokenException", "ExpiredNextTokenException"})

Sleep = Callable[[float], None]


def _config() -> Config:
    # botocore's own retries are off: :func:`call` retries, so a throttled page is retried once
    # per attempt here and the failure message can say how many tries were made.
    return Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="ml-cost-planner-refresh",
    )


@dataclass(slots=True)
class AwsClients:
    """The clients a refresh uses: ``pricing`` (Price List), ``savingsplans`` and one EC2 per region.

    Tests build this with stubbed clients (``botocore.stub.Stubber``) and pass it to
    :func:`planner.refresh.run.refresh`.
    """

    pricing: Any
    savingsplans: Any
    ec2_factory: Callable[[str], Any]
    _ec2: dict[str, Any] = field(default_factory=dict)

    def ec2(self, region: str) -> Any:
        """The EC2 client of ``region`` (created once)."""
        if region not in self._ec2:
            self._ec2[region] = self.ec2_factory(region)
        return self._ec2[region]


def _session(profile: str | None) -> boto3.session.Session:
    try:
        return boto3.session.Session(profile_name=profile)
    except bex.ProfileNotFound:
        raise RefreshError(
            f"AWS profile {profile!r} is not in the AWS config files; run `aws configure "
            f"--profile {profile}` or pick another --profile"
        ) from None


def credentials_available(profile: str | None = None) -> bool:
    """True when the standard credential chain (or ``profile``) yields credentials.

    Resolves credentials locally only (no AWS call); never returns or logs them.
    """
    try:
        session = boto3.session.Session(profile_name=profile)
        return session.get_credentials() is not None
    except (bex.BotoCoreError, RefreshError):
        return False


def make_clients(profile: str | None, pricing_region: str) -> AwsClients:
    """Clients for a live refresh; raises RefreshError when no credentials can be found.

    ``pricing_region`` is one of ``records.PRICING_REGIONS`` (:class:`RefreshOptions` checks it).
    """
    session = _session(profile)
    try:
        creds = session.get_credentials()
    except bex.BotoCoreError as exc:
        raise RefreshError(
            f"AWS credentials could not be read ({type(exc).__name__}); "
            "check the AWS config files or --profile"
        ) from None
    if creds is None:
        raise RefreshError(no_credentials_message(profile))
    config = _config()
    return AwsClients(
        pricing=session.client("pricing", region_name=pricing_region, config=config),
        savingsplans=session.client("savingsplans", region_name=SAVINGS_PLANS_REGION, config=config),
        ec2_factory=lambda region: session.client("ec2", region_name=region, config=config),
    )


def no_credentials_message(profile: str | None) -> str:
    where = f"profile {profile!r}" if profile else "the standard credential chain"
    return (
        f"no AWS credentials found in {where}; set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
        "AWS_SECRET_ACCESS_KEY, run `aws configure` (or `aws sso login`), or pass --profile; "
        f"the refresh needs {ALL_IAM_ACTIONS}"
    )


def _where(what: str, page: int | None) -> str:
    return f"{what} (page {page})" if page is not None else what


def to_refresh_error(exc: Exception, operation: str, what: str, page: int | None = None) -> RefreshError:
    """One clear line for a failed AWS call: what failed and what to do."""
    action = IAM_ACTIONS.get(operation, operation)
    place = _where(what, page)
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return RefreshError(no_credentials_message(None))
    if isinstance(exc, bex.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        if code in ACCESS_CODES:
            return RefreshError(
                f"AWS denied {action} for {place} ({code}); grant the IAM actions "
                f"{ALL_IAM_ACTIONS} to these credentials and retry"
            )
        if code in THROTTLING_CODES:
            return RefreshError(
                f"AWS throttled {action} for {place} after {MAX_ATTEMPTS} tries ({code}); wait a "
                "few minutes and retry, or refresh fewer regions at a time"
            )
        if code in TOKEN_CODES:
            return RefreshError(
                f"AWS rejected the page token of {action} for {place} ({code}); start the refresh again"
            )
        message = str(exc.response.get("Error", {}).get("Message", "")).splitlines()
        detail = f": {message[0]}" if message and message[0] else ""
        return RefreshError(f"{action} failed for {place} ({code}{detail}); check the options and retry")
    if isinstance(exc, bex.ConnectionError | bex.HTTPClientError | ConnectionError | TimeoutError):
        return RefreshError(
            f"the connection dropped during {action} for {place} ({type(exc).__name__}); "
            "check the network and retry"
        )
    return RefreshError(f"{action} failed for {place} ({type(exc).__name__}: {exc}); retry later")


def _retryable(exc: Exception) -> bool:
    """Throttling, transient server errors and dropped connections are worth another try."""
    if isinstance(exc, bex.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in THROTTLING_CODES or code in TRANSIENT_CODES
    return isinstance(exc, bex.ConnectionError | bex.HTTPClientError | ConnectionError)


def call(
    client: Any,
    operation: str,
    params: dict[str, Any],
    *,
    what: str,
    page: int | None = None,
    sleep: Sleep = time.sleep,
    attempts: int = MAX_ATTEMPTS,
) -> dict[str, Any]:
    """``client.<operation>(**params)`` with retries; any failure becomes a RefreshError."""
    method = getattr(client, operation)
    for attempt in range(1, attempts + 1):
        try:
            response: dict[str, Any] = method(**params)
            return response
        except (bex.BotoCoreError, bex.ClientError, ConnectionError, TimeoutError) as exc:
            if attempt < attempts and _retryable(exc):
                pause = BACKOFF_BASE_S * 2 ** (attempt - 1)
                sleep(pause * (1 + random.random() / 2))
                continue
            raise to_refresh_error(exc, operation, what, page) from None
    raise AssertionError("unreachable")  # pragma: no cover


def pages(
    client: Any,
    operation: str,
    params: dict[str, Any],
    *,
    what: str,
    token_in: str = "NextToken",
    token_out: str = "NextToken",
    sleep: Sleep = time.sleep,
    max_pages: int = 100_000,
) -> Iterator[dict[str, Any]]:
    """Yield every page of a paginated operation, following ``token_out`` → ``token_in``.

    A page that fails (after retries) raises RefreshError naming the page number, so a dropped
    connection in the middle of pagination never yields a silently truncated result.
    """
    token: str | None = None
    for number in range(1, max_pages + 1):
        request = dict(params)
        if token:
            request[token_in] = token
        response = call(client, operation, request, what=what, page=number, sleep=sleep)
        yield response
        token = response.get(token_out) or None
        if not token:
            return
    raise RefreshError(
        f"{IAM_ACTIONS.get(operation, operation)} for {what} did not end after {max_pages} pages; retry later"
    )
