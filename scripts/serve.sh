#!/bin/sh
# The portal in production: migrations, the reference data (idempotent), then gunicorn. The Docker
# image's CMD; tests/test_production.py runs it for real with DEBUG=0 on SQLite and PostgreSQL.
set -eu
cd "$(dirname "$0")/.."
python manage.py migrate --noinput
python manage.py load_reference_data
exec gunicorn yamaguchi_portal.wsgi:application --bind "${BIND_ADDRESS:-0.0.0.0:8000}" \
    --workers "${WEB_CONCURRENCY:-2}" --access-logfile -
