"""Interconnect and efficiency constants of the performance model, each with unit and source.

Sources as tagged in the reference notes: [S4] aws-neuron/aws-neuron-sdk@81ce03ae neuron-hardware
pages; [S6] stas00/ml-engineering@744d01e1 network/README.md (NVLink table, measured 87-88 % of
spec); [S10] mosaicml/llm-foundry scripts/train/benchmarking/README.md@4952183.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sourced:
    """A default value and where it comes from."""

    value: float
    source: str


GIB = 2.0**30
"""Bytes in a GiB."""

LINK_BYTES_PER_S: dict[str, Sourced] = {
    "NVIDIA V100 16GB": Sourced(150e9, "NVLink 2: 150 GB/s per direction [S6 network/README.md]"),
    "NVIDIA V100 32GB": Sourced(150e9, "NVLink 2: 150 GB/s per direction [S6]"),
    "NVIDIA A100 40GB SXM": Sourced(300e9, "NVLink 3: 300 GB/s per direction [S6]"),
    "NVIDIA A100 80GB SXM": Sourced(300e9, "NVLink 3: 300 GB/s per direction [S6]"),
    "NVIDIA H100 SXM 80GB": Sourced(450e9, "NVLink 4: 450 GB/s per direction [S6]"),
    "NVIDIA H200 141GB": Sourced(450e9, "NVLink 4: 450 GB/s per direction [S6]"),
    "AWS Trainium1": Sourced(384e9, "NeuronLink-v2: 384 GB/s per chip [S4 trainium2.rst, trn1-arch.rst]"),
    "AWS Trainium2": Sourced(1024e9, "NeuronLink-v3: 1,024 GB/s per chip inside an instance [S4]"),
    "AWS Inferentia2": Sourced(192 * GIB, "NeuronLink-v2: 192 GiB/s per chip [S4 inf2-arch.rst]"),
    "AWS Inferentia1": Sourced(32 * GIB, "NeuronLink-v1: 32 GiB/s per chip [S4 inf1-arch.rst]"),
}
"""Chip-to-chip bandwidth inside one instance [B/s per chip, one direction]."""

PCIE_BYTES_PER_S = Sourced(
    32e9, "PCIe 4.0 x16 ≈ 32 GB/s per direction (the x16 link nvidia-smi reports on g4dn/g5/g6/g6e "
    "[S9]); PCIe-only GPUs have no NVLink"
)
"""Chip-to-chip bandwidth of PCIe-only GPUs (T4, A10G, L4, L40S) [B/s per chip]."""

LINK_EFFICIENCY = Sourced(0.85, "measured NVLink at 87-88 % of spec on 8×H200 [S6 network/README.md]")
"""Share of the chip-to-chip bandwidth a collective achieves [fraction]."""

NETWORK_EFFICIENCY = Sourced(
    0.8, "assumption: share of the instance's headline network bandwidth a data-parallel "
    "collective sustains (NVLink reaches 87-88 % of spec [S6]; the network is taken lower)"
)
"""Share of ``network_gbps`` a cross-instance collective achieves [fraction]."""

DP_OVERLAP = Sourced(
    0.67, "assumption: the gradient reduce overlaps the backward pass, 2/3 of a step's compute "
    "(backward = 2× forward, Kaplan 2020); ZeRO-3 prefetch overlaps forward and backward (1.0)"
)
"""Share of a step's compute the data-parallel collective can hide behind [fraction]."""

ASPECT_RATIO = Sourced(
    128.0, "assumption: d / L = 128 when the shape is not given (GPT-3 175B: 12288 / 96 = 128)"
)
"""Hidden size over layers used to estimate a shape from the parameter count [ratio]."""

ZERO3_COMM_FACTOR = Sourced(
    1.5, "ZeRO-3 moves 1.5× the data of data-parallel all-reduce (Rajbhandari et al. 2020 §7.2.2)"
)
"""Data-parallel communication volume of ZeRO-3 relative to an all-reduce [ratio]."""
