"""Plan item kinds beyond compute and storage: data transfer, SageMaker, and savings plans bought
for the plan as a whole. Field bounds are the allowed ranges a bad file's error message quotes."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from planner.billing import PaymentOption, SavingsPlanType
from planner.plan_base import (
    MAX_COUNT,
    Gb,
    Price,
    UnitPrices,
    UsageHours,
    _Windowed,
)


class TransferType(StrEnum):
    INTERNET_OUT = "internet_out"
    """To the internet: monthly volume tiers after the monthly free allowance."""
    INTERNET_IN = "internet_in"
    INTER_REGION = "inter_region"
    """To another AWS region (``to_region``), charged to the plan's region."""
    INTER_AZ = "inter_az"
    """Between Availability Zones of the plan's region: billed out of one and into the other."""


class TransferService(StrEnum):
    """Where the data leaves from; EC2 and S3 pay the same data-transfer rates."""

    EC2 = "ec2"
    S3 = "s3"


class DataTransferItem(_Windowed):
    kind: Literal["data_transfer"] = "data_transfer"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    transfer_type: TransferType = TransferType.INTERNET_OUT
    service: TransferService = TransferService.EC2
    gb_per_month: Gb = 0.0
    """Data moved per month [GB]."""
    to_region: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    """Destination region (inter_region only)."""
    free_allowance_gb: Gb | None = None
    """Internet out: the account's monthly free allowance [GB] (default the snapshot's 100 GB;
    0 when other workloads use it). The plan's internet-out items share the smallest given."""
    unit_prices: UnitPrices = Field(default_factory=dict)

    @model_validator(mode="after")
    def _destination(self) -> DataTransferItem:
        if self.transfer_type is TransferType.INTER_REGION and self.to_region is None:
            raise ValueError("to_region: required for inter_region transfer (a region code)")
        if self.transfer_type is not TransferType.INTER_REGION and self.to_region is not None:
            raise ValueError(
                f"to_region: applies only to inter_region transfer, not {self.transfer_type.value}"
            )
        if self.free_allowance_gb is not None and self.transfer_type is not TransferType.INTERNET_OUT:
            raise ValueError("free_allowance_gb: applies only to internet_out transfer")
        return self


class SageMakerComponent(StrEnum):
    TRAINING = "training"
    """Training jobs: instance-seconds per job (managed spot: billable seconds)."""
    PROCESSING = "processing"
    """Processing jobs: instance-seconds per job."""
    HOSTING = "hosting"
    """Real-time inference endpoints: instance-hours × instances."""
    NOTEBOOK = "notebook"
    """Notebook instances (Studio): instance-hours."""


JOB_COMPONENTS = frozenset({SageMakerComponent.TRAINING, SageMakerComponent.PROCESSING})
MAX_JOB_SECONDS = 28 * 24 * 3600.0
"""Longest SageMaker training job [s] (MaxRuntimeInSeconds up to 28 days)."""


class SageMakerItem(_Windowed):
    kind: Literal["sagemaker"] = "sagemaker"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    component: SageMakerComponent = SageMakerComponent.TRAINING
    instance_type: Annotated[str, Field(min_length=4, max_length=40, pattern=r"^ml\.")]
    """A SageMaker ``ml.*`` instance type, e.g. ``ml.p4d.24xlarge``."""
    count: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 1
    """Instances per job, endpoint or notebook."""
    job_seconds: Annotated[float, Field(gt=0, le=MAX_JOB_SECONDS, allow_inf_nan=False)] | None = None
    """Training/processing: wall-clock time of one job [s] (TrainingTimeInSeconds)."""
    jobs_per_month: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] = 1.0
    managed_spot: bool = False
    """Training: managed spot training; billed for ``billable_seconds`` instead."""
    billable_seconds: Annotated[
        float, Field(gt=0, le=MAX_JOB_SECONDS, allow_inf_nan=False)
    ] | None = None
    """Managed spot: billed time of one job [s] (BillableTimeInSeconds ≤ job_seconds)."""
    usage_hours_per_month: UsageHours | None = None
    """Hosting/notebook: hours each instance runs per month [h]; default the plan's month."""
    unit_prices: dict[Literal["hourly_usd"], Price] = Field(default_factory=dict, max_length=1)

    @model_validator(mode="after")
    def _usage(self) -> SageMakerItem:
        job = self.component in JOB_COMPONENTS
        if job and self.job_seconds is None:
            raise ValueError(f"job_seconds: required for {self.component.value} jobs (> 0 s)")
        if not job and self.job_seconds is not None:
            raise ValueError(
                f"job_seconds: applies to training and processing jobs, not {self.component.value}"
            )
        if not job and self.usage_hours_per_month is None and self.jobs_per_month != 1.0:
            raise ValueError("jobs_per_month: applies to training and processing jobs")
        if job and self.usage_hours_per_month is not None:
            raise ValueError("usage_hours_per_month: applies to hosting and notebooks, not jobs")
        if self.managed_spot and self.component is not SageMakerComponent.TRAINING:
            raise ValueError("managed_spot: applies to training jobs only")
        if self.managed_spot and self.billable_seconds is None:
            raise ValueError(
                "billable_seconds: required for managed spot training (BillableTimeInSeconds, "
                "at most job_seconds)"
            )
        if not self.managed_spot and self.billable_seconds is not None:
            raise ValueError("billable_seconds: applies only with managed_spot true")
        if self.billable_seconds is not None and self.job_seconds is not None and (
            self.billable_seconds > self.job_seconds
        ):
            raise ValueError(
                f"billable_seconds: must be in (0, job_seconds = {self.job_seconds:g}], "
                f"got {self.billable_seconds:g}"
            )
        return self


class SavingsPlanCommitment(_Windowed):
    """A savings plan bought for the plan as a whole: an hourly commitment for each term.

    It applies (with the others) to the plan's on-demand and savings-plan compute usage as AWS
    applies them: EC2 Instance plans first, each to its own family and region, then Compute plans
    to everything eligible; bought at ``start_month`` and renewed while the window runs.
    """

    name: Annotated[str, Field(min_length=1, max_length=80)]
    plan_type: SavingsPlanType = SavingsPlanType.COMPUTE
    term_years: Literal[1, 3] = 1
    payment: PaymentOption = PaymentOption.NO_UPFRONT
    commitment_usd_per_hour: Price
    instance_family: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    """EC2 Instance plans: the family it covers (e.g. ``p4d``)."""
    region: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    """EC2 Instance plans: the region it covers (default the plan's region)."""

    @model_validator(mode="after")
    def _family(self) -> SavingsPlanCommitment:
        ec2 = self.plan_type is SavingsPlanType.EC2_INSTANCE
        if ec2 and self.instance_family is None:
            raise ValueError("instance_family: required for an ec2_instance savings plan")
        if not ec2 and (self.instance_family is not None or self.region is not None):
            raise ValueError(
                "instance_family: a compute savings plan covers every family and region; "
                "leave instance_family and region out"
            )
        return self
