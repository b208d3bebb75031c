"""The web page for legal teams: static HTML + vanilla JS + CSS from ``pipeline/web``, no build step.

The page holds the API key in sessionStorage and calls the same /v1 API as everyone else. A
strict Content-Security-Policy (same-origin scripts and styles only, no inline code) backs the
page's own rule of putting document text in the DOM only as text.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from pipeline.api.deps import State
from pipeline.api.schemas import Health

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> Response:
    return FileResponse(
        WEB_DIR / "index.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS
    )


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    if name not in ASSETS:  # a fixed list: no path from the URL ever reaches the file system
        return Response(status_code=404)
    return FileResponse(WEB_DIR / name, media_type=ASSETS[name], headers=SECURITY_HEADERS)


health_router = APIRouter(tags=["service"])


@health_router.get("/v1/health", response_model=Health, summary="Liveness (no API key needed)")
async def health(state: State) -> Health:
    return Health(executor=state.jobs.runner.name)
