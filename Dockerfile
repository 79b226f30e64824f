# Signaalpunt's image: built and run by docker-compose.yml (see docs/operations.md).
# Docker does not run on the development machines: tests/deployment/test_dockerfile.py checks this
# file statically and rebuilds its layout (the COPY steps and the catalog compilation) in a
# temporary directory.

# --- builder: the virtual environment, the code and the compiled catalogs ------------------
FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app

# The dependencies first, read from pyproject.toml alone: this layer is rebuilt only when
# they change, not on every change of the code. Every dependency ships wheels, so the slim
# image needs no compiler.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt

COPY bot ./bot
COPY core ./core
COPY storage ./storage
COPY locales ./locales

# Editable on purpose: bot/i18n.py finds the catalogs next to the code
# (/app/bot/../locales); a regular install would move the code into site-packages and
# leave the catalogs behind. The code is compiled to bytecode here because at run time it
# belongs to root and the service cannot write __pycache__.
RUN pip install --no-deps -e . \
 && pybabel compile --domain signaalpunt --directory locales \
 && pybabel compile --domain staff --directory locales \
 && python -m compileall -q bot core storage

# --- runtime: only the virtual environment, the code and the catalogs ----------------------
FROM python:3.11-slim-bookworm

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SIGNAALPUNT_HTTP_HOST=0.0.0.0 \
    SIGNAALPUNT_HTTP_PORT=8080

# A fixed uid and gid, so a volume or a Kubernetes securityContext can name them.
RUN groupadd --system --gid 10001 signaalpunt \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin signaalpunt

# The same paths as in the builder: the venv's scripts and the editable install name them.
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

WORKDIR /app

# The code stays root's (the service cannot change it); var/ is the service's, for a
# single-instance SQLite setup that mounts a volume there.
RUN mkdir -p /app/var && chown 10001:10001 /app/var

USER 10001:10001

EXPOSE 8080

# Process up (no curl in the slim image). docker-compose.yml checks /readyz instead, which
# also needs the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SIGNAALPUNT_HTTP_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["signaalpunt"]
CMD ["run"]
