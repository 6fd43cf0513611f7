# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY domain domain
COPY application application
COPY infrastructure infrastructure
COPY interfaces interfaces
RUN python -m venv /opt/taskhex \
 && /opt/taskhex/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim
RUN useradd --system --uid 10001 taskhex
COPY --from=build /opt/taskhex /opt/taskhex
ENV PATH=/opt/taskhex/bin:$PATH
USER taskhex
WORKDIR /home/taskhex
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live').status != 200)"
CMD ["taskhex", "serve", "--host", "0.0.0.0", "--port", "8000"]
