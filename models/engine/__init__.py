"""The search engine: what to try and how to score it, with no database and no framework.

The catalog of estimators, parameter spaces, spec resolution, strategies (propose a
candidate, record its result), CV splits, preprocessing, one trial's evaluation, trials
in killable child processes, and the search loop, whose side effects are passed in.
Nothing here imports SQLAlchemy or :mod:`models.store`.
"""
