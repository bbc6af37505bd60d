"""Celery side of tuneforge: the app, the ``run_search`` task, and job recovery.

Tasks are thin: they take a job id, re-read its state from the database, and call
``models``. Nothing here serves HTTP.
"""
