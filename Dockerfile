# The portal under gunicorn. System packages come from the same script `make run` uses.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PORTAL_VAR_DIR=/app/var
WORKDIR /app

COPY scripts/system-deps.sh scripts/system-deps.sh
RUN scripts/system-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN pip install --upgrade pip "setuptools>=69,<81" wheel \
 && pip install --no-build-isolation -e . \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --system --home /app portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_reference_data && gunicorn yamaguchi_portal.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --access-logfile -"]
