#!/bin/sh
# Static files for production: the manifest storage (DEBUG off) with hashed, compressed names, into
# PORTAL_VAR_DIR/static. The Docker image's build step; tests/test_production.py runs it for real.
# Collecting signs nothing, so a placeholder secret is enough when none is set.
set -eu
cd "$(dirname "$0")/.."
export SECRET_KEY="${SECRET_KEY:-collectstatic-only}"
exec python manage.py collectstatic --noinput
