# syntax=docker/dockerfile:1
# Two stages: build the locked virtual environment, then copy only it into a
# slim image that runs as an unprivileged user.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY domain domain
COPY application application
COPY infrastructure infrastructure
COPY interfaces interfaces
RUN python -m venv /opt/taskhex \
 && /opt/taskhex/bin/pip install -c constraints.txt .

FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 --create-home --home-dir /home/taskhex taskhex
COPY --from=build /opt/taskhex /opt/taskhex
ENV PATH=/opt/taskhex/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOG_FORMAT=json
USER 10001
WORKDIR /home/taskhex
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
CMD ["taskhex", "serve", "--host", "0.0.0.0", "--port", "8000"]
