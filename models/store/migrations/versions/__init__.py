"""One module per revision, applied in order by :mod:`models.store.migrate`."""
