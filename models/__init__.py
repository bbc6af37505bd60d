"""The tuneforge domain and search engine.

Framework-free: nothing here imports Flask or Celery, so the engine can be tested with
nothing running. ``api/`` and ``tasks/`` both build on it.
"""
