"""The workload model: what a training, inference or CPU job needs and achieves on each instance
type, and the ranked answer to "which instance and purchase option should I pick?".

Imports run one way, top to bottom:
``records`` (workload files) → ``performance`` (chip constants and rooflines) → ``memory`` (fit) →
``training`` / ``serving`` (parallel layouts) → ``prepared`` (catalog joined once, per-type figure
record) → ``training_figures`` / ``serving_figures`` / ``figures`` (what a workload gets on each
type) → ``options`` (purchase-option money rules) → ``grid`` (ranked rows) → ``explain``
(headlines, the arithmetic per row) → ``plan_items`` (a row as plan items) → ``compare`` (the
entry point); ``calibration`` scores the model against published measurements.
"""
