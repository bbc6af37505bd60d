"""Operational plumbing beside the domain: logs and metrics, the worker's liveness file,
rate limits, a memo for slow answers, API keys, and the HTTP client that delivers
webhooks. Nothing here knows what a job or a trial is; the domain (``models/engine``,
``models/store``, ``models/documents``, the service) may use it, never the reverse.
"""
