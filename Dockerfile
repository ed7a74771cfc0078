# One image for every service of docker-compose.yml: web (uvicorn, ASGI), worker, beat, simulator, migrate.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (their own layer): every package pinned, transitive ones by constraints.txt.
COPY requirements.txt constraints.txt ./
RUN pip install pip==26.3 \
    && pip install -r requirements.txt -c constraints.txt

COPY . .

# Static files are collected at build time (WhiteNoise serves them, compressed and hashed).
# The production profile refuses to load without real keys: throw-away ones, made for this step only.
RUN DJANGO_SETTINGS_MODULE=portal.settings.production \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    TOKEN_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /app/var \
    && chown portal:portal /app/var

USER portal

ENV DJANGO_SETTINGS_MODULE=portal.settings.production
EXPOSE 8000 8100

# --no-proxy-headers: the portal reads X-Forwarded-For itself, from TRUSTED_PROXIES only.
CMD ["uvicorn", "portal.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers"]
