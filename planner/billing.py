"""Billing conventions: the one place that knows how long a month and a term are.

Source: AWS Pricing Calculator assumptions (https://aws.amazon.com/calculator/calculator-assumptions/),
"730 hours in a month" (= 365 × 24 / 12). Reserved Instance and Savings Plans terms are 1 or 3 years
of 8,760 h each (365 × 24), as the AWS Price List's ``LeaseContractLength`` and the RI effective-rate
formula use them.
"""

from __future__ import annotations

from enum import StrEnum

HOURS_PER_MONTH_DEFAULT = 730.0
"""Hours in a billing month [h], AWS Pricing Calculator convention."""

MIN_HOURS_PER_MONTH = 672.0
"""Fewest billing hours a plan's month may have [h] (28 days)."""

MAX_HOURS_PER_MONTH = 744.0
"""Most billing hours a plan's month may have [h] (31 days)."""

HOURS_PER_YEAR = 8760.0
"""Hours in a 1-year term [h] (365 × 24)."""

MONTHS_PER_YEAR = 12
GB_PER_TB = 1024.0
"""GB in a TB for S3 volume tiers: the Price List gives 51,200 and 512,000 GB for 50 and 500 TB."""


def term_hours(term_years: int) -> float:
    """Hours in a commitment term of ``term_years`` years [h]: 8,760 or 26,280."""
    return HOURS_PER_YEAR * term_years


def reserved_effective_hourly(upfront_usd: float, hourly_usd: float, term_years: int) -> float:
    """Effective $/h of a reservation over its term [USD/h]: (upfront + hourly × term h) / term h."""
    hours = term_hours(term_years)
    return (upfront_usd + hourly_usd * hours) / hours


class PurchaseOption(StrEnum):
    ON_DEMAND = "on_demand"
    RESERVED = "reserved"
    SAVINGS_PLAN = "savings_plan"
    SPOT = "spot"


class PaymentOption(StrEnum):
    NO_UPFRONT = "no_upfront"
    PARTIAL_UPFRONT = "partial_upfront"
    ALL_UPFRONT = "all_upfront"


class OfferingClass(StrEnum):
    STANDARD = "standard"
    CONVERTIBLE = "convertible"


class SavingsPlanType(StrEnum):
    COMPUTE = "compute"
    EC2_INSTANCE = "ec2_instance"

