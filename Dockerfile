# One image for both roles: `tuneforge api` (default) or `tuneforge worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TUNEFORGE_HOST=0.0.0.0 TUNEFORGE_PORT=8000 TUNEFORGE_DATA_DIR=/data
WORKDIR /app

COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY api ./api
COPY tasks ./tasks
COPY models ./models
RUN pip install --no-cache-dir --no-deps . \
    && useradd --create-home --uid 10001 tuneforge \
    && mkdir -p /data && chown tuneforge /data

USER tuneforge
VOLUME ["/data"]
EXPOSE 8000
# Listening on 0.0.0.0 requires TUNEFORGE_API_KEYS (the CLI refuses otherwise).
ENTRYPOINT ["tuneforge"]
CMD ["api"]
