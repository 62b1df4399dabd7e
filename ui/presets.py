"""Form presets for common model sizes (architecture shapes as published).

Sources: Llama 2 paper (Touvron et al. 2023, Table 1/§2.2) and the models' Hugging Face
``config.json`` (meta-llama/Llama-2-7b-hf, Llama-2-13b-hf, Llama-3.1-8B, Llama-3.1-70B,
Llama-3.2-1B): parameter counts, layers, hidden size, attention and KV heads.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelPreset:
    parameters_b: float
    """Parameters [billions]."""
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int


MODEL_PRESETS: dict[str, ModelPreset] = {
    "Llama 3.2 1B": ModelPreset(1.24, 16, 2048, 32, 8),
    "Llama 2 7B": ModelPreset(6.74, 32, 4096, 32, 32),
    "Llama 3.1 8B": ModelPreset(8.03, 32, 4096, 32, 8),
    "Llama 2 13B": ModelPreset(13.0, 40, 5120, 40, 40),
    "Llama 3.1 70B": ModelPreset(70.6, 80, 8192, 64, 8),
}

TRAFFIC_SHAPES: dict[str, list[float] | None] = {
    "Flat (peak all day)": None,
    "Business day (peak 10:00-14:00)": [
        0.2, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.5, 0.7, 0.9, 1.0, 1.0,
        1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25,
    ],
}
"""24 fractions of the peak request rate, hour 0..23."""
