"""Live price refresh from AWS (the only part of the planner that imports boto3/botocore).

Entry points are in :mod:`planner.refresh.run` (``refresh``, ``rollback``,
``credentials_available``, ``RefreshOptions``, ``RefreshReport``); the fetchers are
:mod:`~planner.refresh.products` (EC2 on-demand/reserved via GetProducts),
:mod:`~planner.refresh.bulk_csv` (the same from the bulk price-list CSV),
:mod:`~planner.refresh.savings_plans`, :mod:`~planner.refresh.spot`,
:mod:`~planner.refresh.storage`; :mod:`~planner.refresh.swap` installs a validated snapshot.
"""
