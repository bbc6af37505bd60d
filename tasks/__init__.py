"""Celery side of tuneforge: the app, the ``advance`` and ``run_trial`` tasks, recovery.

Tasks are thin: they take a job id, re-read its state from the database, and call
``models``. Nothing here serves HTTP.
"""
