"""Alembic migrations for the store's tables; run them with :mod:`models.store.migrate`."""
