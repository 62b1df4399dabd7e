"""Training MFU defaults per chip × model size band × precision, and the long-context correction.

MFU here is model FLOPs utilisation of the linear (6·N per token) part of training; attention
(12·L·s·d per token, llm-foundry's definition) runs at its own, lower utilisation, so
effective MFU = (F_lin + F_att) / (F_lin / MFU + F_att / attention efficiency). This reproduces the
drop of published MFU at 16k-64k tokens of context [S10].

Fitted values come from the ``fit`` rows of ``planner/workload/data/calibration_set.csv``
(llm-foundry sequence lengths 2048, 8192, 32768; Trainium Llama-3.1-70B and GPT3-175B) with
``scripts/fit_perf_defaults.py``: per cell the median MFU the published throughput implies under
the layout model. The ``holdout`` rows (other sequence lengths, other Trainium runs) check them.
"""

from __future__ import annotations

from planner.perf.constants import Sourced

SIZE_BANDS: tuple[tuple[float, str], ...] = (
    (1.5e9, "<1.5B"),
    (10e9, "1.5-10B"),
    (40e9, "10-40B"),
    (float("inf"), ">=40B"),
)
"""Upper bound of each model-size band [parameters] and its name."""

FOUNDRY = "fitted on llm-foundry benchmark rows (mosaicml/llm-foundry README@4952183)"
NEURON = "fitted on Neuron trn1 training rows (aws-neuron-sdk benchmarks/trn1)"

MFU_TABLE: dict[tuple[str, str, str], Sourced] = {}
"""(chip, size band, precision) → MFU of the linear part [fraction]; filled below."""

_FITTED: dict[tuple[str, str], dict[str, float]] = {
    # chip, precision → band → value (scripts/fit_perf_defaults.py output)
    ("NVIDIA H100 SXM 80GB", "bf16"): {"<1.5B": 0.44, "1.5-10B": 0.45, "10-40B": 0.42, ">=40B": 0.43},
    # FP8: no published run above 3B; the larger bands repeat the 1.5-10B figure
    ("NVIDIA H100 SXM 80GB", "fp8"): {"<1.5B": 0.14, "1.5-10B": 0.21, "10-40B": 0.21, ">=40B": 0.21},
    ("NVIDIA A100 80GB SXM", "bf16"): {"<1.5B": 0.60, "1.5-10B": 0.62, "10-40B": 0.58, ">=40B": 0.51},
    ("NVIDIA A100 40GB SXM", "bf16"): {"<1.5B": 0.51, "1.5-10B": 0.53, "10-40B": 0.52, ">=40B": 0.42},
    # Trainium: fitted on the >=40B runs (Llama-3.1-70B, GPT3-175B); smaller bands repeat it
    ("AWS Trainium1", "bf16"): {"<1.5B": 0.33, "1.5-10B": 0.33, "10-40B": 0.33, ">=40B": 0.33},
}
for (_chip, _prec), _bands in _FITTED.items():
    _src = NEURON if _chip.startswith("AWS") else FOUNDRY
    for _band, _value in _bands.items():
        MFU_TABLE[(_chip, _band, _prec)] = Sourced(_value, _src)
# H200 has the H100's compute: same defaults, marked as such
for (_chip, _band, _prec), _s in list(MFU_TABLE.items()):
    if _chip == "NVIDIA H100 SXM 80GB":
        MFU_TABLE[("NVIDIA H200 141GB", _band, _prec)] = Sourced(
            _s.value, "as H100 (same compute); " + _s.source
        )

ATTENTION_EFFICIENCY: dict[str, Sourced] = {
    "NVIDIA H100 SXM 80GB": Sourced(0.25, FOUNDRY + ": 7B-13B at 32k context"),
    "NVIDIA H200 141GB": Sourced(0.25, "as H100 (same compute)"),
    "NVIDIA A100 80GB SXM": Sourced(0.45, FOUNDRY + ": 7B-13B at 32k context"),
    "NVIDIA A100 40GB SXM": Sourced(0.45, FOUNDRY + ": as A100 80GB"),
}
"""Utilisation of the attention FLOPs (FlashAttention) per chip [fraction]; chips not listed use
their linear MFU for attention too."""


def size_band(parameters: float) -> str:
    for upper, name in SIZE_BANDS:
        if parameters < upper:
            return name
    return SIZE_BANDS[-1][1]


def table_mfu(chip: str, parameters: float, precision: str) -> Sourced | None:
    """The fitted MFU for (chip, size band, precision), or None when the table has no cell."""
    return MFU_TABLE.get((chip, size_band(parameters), precision))


def effective_mfu(
    mfu: float, chip: str, linear_flops: float, attention_flops: float
) -> float:
    """MFU over all model FLOPs with attention at its own efficiency (module doc).

    Example: MFU 0.4, attention efficiency 0.25, F_lin 4.0e10, F_att 5.15e10 per token:
    9.15e10 / (1.0e11 + 2.06e11) = 0.299.
    """
    att = ATTENTION_EFFICIENCY.get(chip)
    if att is None or attention_flops <= 0:
        return mfu
    return (linear_flops + attention_flops) / (linear_flops / mfu + attention_flops / att.value)
