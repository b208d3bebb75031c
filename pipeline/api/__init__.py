"""The HTTP API (``longdoc serve``): jobs, batches, reports, webhooks and the web page.

Modules, by what they hold:

- ``schemas``      wire models (pydantic only, shared with ``pipeline.cli.client``)
- ``problems``     RFC 9457 problem+json errors carrying longdoc's stable codes
- ``tenants``      API keys (stored hashed) → tenant
- ``service``      jobs: create, read (cached), list, cancel; runs them on the executor
- ``idempotency``  Idempotency-Key records in the tenant's storage
- ``uploads``      streamed, size-limited request bodies
- ``webhooks``     signed callbacks with retries
- ``batches``      batch records and status; ``tables`` the CSV/XLSX summary
- ``jobs_routes``, ``batch_routes``, ``web``  the routes; ``app`` wires them

Imported lazily: nothing here loads FastAPI until ``pipeline.api.app`` is imported.
"""
