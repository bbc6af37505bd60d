"""The search engine: what to try and how to score it, with no database and no framework.

The catalog of estimators, parameter spaces, spec resolution, strategies (propose a
candidate, record its result), CV splits, preprocessing, one trial's evaluation, trials
in a killable child process, and the search's pure step (:mod:`models.engine.search`:
replay what is known to a strategy, plan the next trials). The caller records, sends
and keeps time. Nothing here imports SQLAlchemy or :mod:`models.store`.
"""
