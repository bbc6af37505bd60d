"""Where things are kept: the tables, migrations, repositories, leases and artifact storage.

The database is the source of truth for datasets, jobs and trials; storage holds the
files (uploaded tables and fitted models). The store may use the engine's value types
(a trial's outcome, a resolved spec); the engine never imports the store.
"""
