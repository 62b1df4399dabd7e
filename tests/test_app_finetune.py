"""Workload planner page: the Fine-tune and Weight precision inputs reach the comparison."""

from __future__ import annotations

import json

import pytest

from tests.app_fixtures import assert_clean, errors, open_app


@pytest.fixture
def at():
    return open_app()  # the default page


def shown_assumptions(at) -> dict:
    return json.loads(at.json[-1].value)["performance"]


def ranked(at):
    return next(d.value for d in at.dataframe if "purchase_option" in d.value.columns)


def test_qlora_fine_tune_input(at):
    full = ranked(at)
    at.selectbox(key="workload_finetune").set_value("qlora").run()
    at.number_input(key="workload_trainable_pct").set_value(2.0).run()
    assert_clean(at)
    assert not errors(at)
    tune = shown_assumptions(at)["memory"]["finetune"]
    # 2 % → trainable_fraction 0.02; QLoRA keeps the base in int4 (0.5 B/param)
    assert tune["kind"] == "qlora"
    assert tune["trainable_fraction"] == pytest.approx(0.02)
    assert tune["frozen_bytes_per_parameter"] == 0.5
    # the frozen base needs no weight gradients: (4 + 6 × 0.02) · N < 6 · N → on as many
    # instances, no slower anywhere (QLoRA often fits on fewer instances, which take longer)
    qlora = ranked(at)
    key = ["instance_type", "purchase_option", "instances"]
    both = full.merge(qlora, on=key, suffixes=("_full", "_qlora")).dropna(
        subset=["wall_hours_full", "wall_hours_qlora"]
    )
    assert len(both) > 0
    assert (both["wall_hours_qlora"] <= both["wall_hours_full"] * (1 + 1e-9)).all()


def test_weight_precision_input(at):
    at.radio(key="workload_kind").set_value("inference").run()
    at.selectbox(key="workload_weight_precision").set_value("int4").run()
    assert_clean(at)
    assert not errors(at)
    performance = shown_assumptions(at)
    assert performance["weight_bytes_per_parameter"] == 0.5
    assert performance["weight_precision"]["value"] == "int4"
