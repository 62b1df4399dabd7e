"""Performance-model internals: memory per chip, parallel layouts, multi-chip serving, defaults.

Modules import one way: ``constants`` ← ``memory`` ← ``layout``; ``constants`` ← ``serving``;
``calibration`` uses them all. Nothing here imports the workload records, the catalog or the
comparison: callers pass plain numbers and numpy arrays (one element per instance type).
"""
