"""The price snapshot: schema, loading and validation, typed look-ups."""

from planner.catalog.loader import Catalog, TableInfo, default_data_dir, load_catalog

__all__ = ["Catalog", "TableInfo", "default_data_dir", "load_catalog"]
