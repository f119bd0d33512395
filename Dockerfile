# The portal under gunicorn. System packages come from the same script `make run` uses; the two
# production steps are scripts that tests/test_production.py runs for real (no Docker engine in CI).
FROM python:3.11-slim-bookworm

# PORTAL_ENV_FILE= : never read a local install's var/local.env (DEBUG=1), even one copied in by mistake.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PORTAL_VAR_DIR=/app/var PORTAL_ENV_FILE=
WORKDIR /app

COPY scripts/system-deps.sh scripts/system-deps.sh
RUN scripts/system-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN pip install --upgrade pip "setuptools>=69,<81" wheel \
 && pip install --no-build-isolation -e . \
 && scripts/collectstatic.sh

RUN useradd --system --home /app portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["scripts/serve.sh"]
