# The Podium image: the Django site (gunicorn), the Celery worker and beat.
# docker-compose.yml runs each role from this one image with its own command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app/platform:/app \
    DJANGO_SETTINGS_MODULE=podium.settings \
    PODIUM_VAR_DIR=/var/lib/podium \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Static files are collected into the image and served by WhiteNoise. The key
# below exists only for this build step; the containers read SECRET_KEY from
# the environment.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 podium \
    && mkdir -p /var/lib/podium \
    && chown podium:podium /var/lib/podium

USER podium
EXPOSE 8000
CMD ["gunicorn", "podium.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "300"]
