"""Which rows of the snapshot a refresh replaces: its scope per table and region."""

from __future__ import annotations

from dataclasses import dataclass

from planner.refresh.records import family_of


@dataclass(frozen=True, slots=True)
class Scope:
    """Rows of ``table`` in ``region`` being replaced: those with a purchase option in
    ``options``, of an instance family in ``families`` and, when ``group_by`` names columns, of a
    group (their values in those columns) in ``groups`` (each filter applies when given)."""

    table: str
    region: str
    options: frozenset[str] = frozenset()
    families: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    groups: frozenset[tuple[str, ...]] = frozenset()

    @classmethod
    def of_groups(
        cls, table: str, region: str, group_by: tuple[str, ...], rows: list[dict[str, str]]
    ) -> Scope:
        """The scope replacing only the ``group_by`` groups ``rows`` (fetched) have."""
        groups = frozenset(tuple(r[c] for c in group_by) for r in rows)
        return cls(table, region, group_by=group_by, groups=groups)

    def covers(self, row: dict[str, str]) -> bool:
        if row["region"] != self.region:
            return False
        if self.options and row.get("purchase_option") not in self.options:
            return False
        if self.group_by and tuple(row[c] for c in self.group_by) not in self.groups:
            return False
        if self.families and "instance_type" in row:
            return family_of(row["instance_type"]) in self.families
        return True


STORAGE_GROUP = ("service", "storage_class", "dimension")
"""Storage rows are replaced per (region, service, class, dimension) the refresh returned: a
dimension it does not map (e.g. EFS elastic-throughput access) keeps its embedded rows, with their
own older ``as_of``, instead of disappearing from the region."""

SAGEMAKER_GROUP = ("component",)
"""SageMaker rows are replaced per (region, component) the refresh returned: a component the files
do not have (e.g. the embedded training-plan rates) keeps its rows."""
