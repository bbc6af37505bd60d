# One image for every role: `tuneforge api` (the default command), `tuneforge worker` or
# `tuneforge webhook-worker`.
#   DOCKER_BUILDKIT=1 docker build -t tuneforge .
#   docker run -p 8000:8000 -e TUNEFORGE_API_KEYS=acme:s3cret tuneforge       # the API
#   docker run tuneforge worker                                                # a worker
#   docker run tuneforge webhook-worker                                        # deliveries
# Each first migrates the database (under a lock); compose.yaml runs the whole service
# with PostgreSQL, Redis and S3-compatible storage (docs/deploy.md).
#
# It needs BuildKit (the CA secret below) but names no `# syntax=` frontend: that would be
# pulled from a registry, and BuildKit's built-in frontend has all this file uses.
# Build arguments and secrets:
#   --build-arg BASE=IMAGE   another Python 3.11 image on Debian for both stages (the image
#                            test, tests/image/run.py, builds one from Debian's packages)
#   --secret id=ca,src=FILE  extra CA certificates (PEM) that pip trusts besides its own,
#                            for a build behind a TLS-inspecting proxy; mounted for the
#                            one install step, never written into a layer
ARG BASE=python:3.11-slim

# Build stage: the locked dependencies, hash-checked, in a virtual environment.
FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
# --require-hashes: each package is the file the lock names, byte for byte; --no-deps:
# nothing the lock does not list. With a CA secret, pip trusts its own bundle plus it.
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then \
        cat "$(/opt/venv/bin/python -c 'import pip._vendor.certifi as c; print(c.where())')" \
            /run/secrets/ca > /tmp/ca.pem \
        && export PIP_CERT=/tmp/ca.pem; \
    fi \
    && /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock \
    && rm -f /tmp/ca.pem
# Out of the environment before the final stage copies it, what the service never runs:
# the installers (pip, setuptools), the packages' own test suites with their compiled
# caches, and botocore's models of the AWS services it never calls (it calls S3, and STS
# and SSO for credentials).
RUN cd /opt/venv/lib/python3.11/site-packages \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools \
    && find . -depth -type d \( -name tests -o -path ./joblib/test \) -exec rm -rf {} + \
    && find botocore/data boto3/data -mindepth 1 -maxdepth 1 -type d ! -name s3 ! -name sts \
        ! -name sso ! -name sso-oidc ! -name signin -exec rm -rf {} +
# The project itself is not pip-installed (that would fetch its build backend, unhashed):
# its code runs from /app, and `tuneforge` is the console script pip would have written.
RUN printf '#!/opt/venv/bin/python\nimport sys\nfrom api.launcher import main\nsys.exit(main())\n' \
        > /opt/venv/bin/tuneforge \
    && chmod 755 /opt/venv/bin/tuneforge

# Final stage: the interpreter, the environment and the code; no compiler, no pip.
FROM ${BASE}
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TUNEFORGE_HOST=0.0.0.0 TUNEFORGE_PORT=8000 TUNEFORGE_DATA_DIR=/data \
    TUNEFORGE_LOG_FORMAT=json
# The group has the user's number: USER names both, and a process whose group has no name
# is taken for root by Celery.
RUN groupadd --system --gid 10001 tuneforge \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home tuneforge \
    && mkdir -p /data/metrics \
    && chown -R tuneforge:tuneforge /data
# LightGBM's library links the system's GNU OpenMP (libgomp), which slim images lack
# (scikit-learn's and XGBoost's wheels bring their own copy).
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY api ./api
COPY models ./models
COPY tasks ./tasks
# The Python SDK, whose commands `tuneforge tune`, `jobs` and `datasets` are (its
# dependencies, httpx, attrs and click, are in the lock).
COPY sdk/python/tuneforge ./tuneforge
COPY sdk/python/tuneforge_client ./tuneforge_client
# Compiled once here, as root: the code stays read-only to the service's user.
RUN python -m compileall -q /app

USER 10001:10001
# The data dir: caches, the metrics folders (share /data/metrics between the API and
# the workers of one host to see every process in the API's /metrics), heartbeats.
VOLUME ["/data"]
EXPOSE 8000
# The API answers /healthz. A worker serves no HTTP: compose.yaml (or `docker run
# --health-cmd`) replaces this with `tuneforge worker-health` (`--role webhooks` for a
# webhook worker), which checks the heartbeat the worker's main process writes while it
# is connected to the broker.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TUNEFORGE_PORT', '8000'), timeout=4)"]
# Listening on 0.0.0.0 requires TUNEFORGE_API_KEYS (the CLI refuses otherwise).
ENTRYPOINT ["tuneforge"]
CMD ["api"]
