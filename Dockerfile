# sagemaker-reconciler: the long-running controller (`reconciler run`) or any one-shot
# command (`docker run IMAGE plan /manifests`). Build from the repository root:
#   docker build -t sagemaker-reconciler .
# Only the package is installed: no dev tools, no emulator (moto). Manifests are mounted
# at /manifests (or synced by a git-sync sidecar; see deploy/kubernetes/).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A fixed numeric uid/gid, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 reconciler \
    && useradd --system --uid 10001 --gid reconciler --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin reconciler \
    && mkdir /manifests

# pip builds from /src, which goes in the same layer (no `cd` in RUN: hadolint DL3003).
COPY pyproject.toml README.md /src/
COPY reconciler /src/reconciler
RUN pip install /src && rm -rf /src

WORKDIR /

USER 10001:10001
EXPOSE 8080

# /healthz answers 200 while the process lives (reconciler/controller/server.py). slim has
# no curl: ask Python. Assumes the default --listen port 8080.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

ENTRYPOINT ["reconciler"]
CMD ["run", "/manifests", "--listen", "0.0.0.0:8080"]
