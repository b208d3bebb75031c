"""Entry point for ``celery -A workers.celery_worker ...`` (like a wsgi.py): the one module that
builds settings at import.

The ``celery`` command finds an app only as a module attribute (``celery.app.utils.find_app``
looks up ``app``/``celery`` on the module and calls nothing), so this module builds the
worker's ``Settings`` from the environment and its app when the command imports it: at worker
start-up (``celery -A workers.celery_worker worker``) or for one command (``inspect ping``, the
compose health check). ``longdoc worker`` does not import it: it builds the app from the
settings the CLI made. Nothing else may import this module.
"""

from __future__ import annotations

from pipeline.config import Settings
from workers.celery_app import make_worker_app

app = make_worker_app(Settings())
