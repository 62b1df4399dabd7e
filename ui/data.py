"""Load the price snapshot once per server process.

The :class:`~planner.catalog.Catalog` is frozen and never mutated, and the planner's look-up indexes
are cached per catalog *object*; so the catalog is a shared resource (``st.cache_resource``: one
object, no copy per rerun), while small derived tables are ``st.cache_data``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from planner.catalog import Catalog, default_data_dir, load_catalog
from planner.catalog.schema import TABLES

PAGE_TABLES: dict[str, tuple[str, ...]] = {
    "Workload planner": ("compute_rates", "spot_price_samples", "spot_advisor", "instance_specs",
                         "accelerators"),
    "Instance explorer": ("compute_rates", "spot_price_samples", "spot_advisor",
                          "instance_specs", "accelerators"),
    "Storage": ("storage_rates",),
    "Right-sizing": ("compute_rates", "spot_price_samples", "instance_specs", "accelerators"),
    "Lifecycle savings": ("compute_rates", "spot_price_samples", "spot_advisor", "storage_rates"),
    "Plans & export": ("compute_rates", "storage_rates", "spot_price_samples"),
    "Price data": ("compute_rates", "storage_rates", "spot_price_samples", "spot_advisor",
                   "instance_specs", "accelerators"),
}
"""Page title → the snapshot tables its figures come from (for the staleness warning)."""


@st.cache_resource(show_spinner="Loading the price snapshot…")
def _catalog_at(data_dir: str) -> Catalog:
    return load_catalog(Path(data_dir) if data_dir else default_data_dir())


def catalog() -> Catalog:
    """The loaded snapshot (``$PLANNER_DATA_DIR`` or the embedded ``pricing_data/``)."""
    return _catalog_at(str(default_data_dir()))


def reload_catalog() -> None:
    """Forget the loaded snapshot (after a refresh wrote a new one)."""
    _catalog_at.clear()
    table_overview.clear()
    _search_text.clear()
    search_table.clear()


@st.cache_data(show_spinner=False)
def table_overview(data_dir: str) -> pd.DataFrame:
    """One row per snapshot table: file, rows, dates, origin, source, sha256."""
    loaded = _catalog_at(data_dir)
    rows = [
        {
            "table": info.name,
            "file": info.file,
            "rows": info.rows,
            "as_of": info.as_of,
            "as_of_oldest": info.as_of_oldest,
            "origin": info.origin,
            "source": info.source,
            "sha256": info.sha256[:12],
        }
        for info in loaded.tables.values()
    ]
    return pd.DataFrame(rows)


TABLE_NAMES = tuple(TABLES)
"""The snapshot's tables, in schema order."""


@st.cache_resource(show_spinner=False)
def _search_text(data_dir: str, table: str) -> pd.Series:
    """Each row's text cells joined by spaces, lower-cased (built once per table; read only)."""
    frame: pd.DataFrame = getattr(_catalog_at(data_dir), table)
    text = frame[[c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]]
    if text.columns.empty:
        return pd.Series("", index=frame.index)
    text = text.astype(str)
    return text.iloc[:, 0].str.cat(text.iloc[:, 1:], sep=" ").str.lower()


@st.cache_data(show_spinner=False, max_entries=64)
def search_table(data_dir: str, table: str, text: str) -> pd.DataFrame:
    """Rows of one snapshot table whose text cells contain every word of ``text`` (any case)."""
    frame: pd.DataFrame = getattr(_catalog_at(data_dir), table)
    words = text.lower().split()
    if not words:
        return frame
    joined = _search_text(data_dir, table)
    keep = pd.Series(True, index=frame.index)
    for word in words:
        keep &= joined.str.contains(word, regex=False)
    return frame.loc[keep]
