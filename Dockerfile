# longdoc: one image for the API (`longdoc serve`) and the workers (`longdoc worker`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Metadata first, then the packages: pip install . builds the wheel from these only. The image
# runs the API and the Celery workers on S3/MinIO with hosted models: every extra but train/test.
COPY pyproject.toml README.md ./
COPY chunking ./chunking
COPY pipeline ./pipeline
COPY storage ./storage
COPY workers ./workers
RUN pip install '.[service,distributed,s3,llm]' \
    && useradd --create-home --uid 10001 longdoc \
    && mkdir -p /data && chown longdoc /data

# Celery refuses to be comfortable as root; so do we.
USER longdoc
ENV LONGDOC_STORAGE_DIR=/data
CMD ["longdoc", "worker"]
