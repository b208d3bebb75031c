"""The web page for legal teams: static HTML + vanilla JS + CSS from ``pipeline/web``, no build step.

The page holds the API key in sessionStorage and calls the same /v1 API as everyone else. A
strict Content-Security-Policy (same-origin scripts and styles only, no inline code) backs the
page's own rule of putting document text in the DOM only as text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

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


# /docs and /redoc from the assets the fastapi-offline wheel ships (Swagger UI 5 reads OpenAPI
# 3.1), not from a CDN: the API docs work on a machine with no internet, as longdoc does.
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
DOCS_STATIC = "/static-docs"
docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title="longdoc - API",
                               swagger_js_url=f"{root}{DOCS_STATIC}/swagger-ui-bundle.js",
                               swagger_css_url=f"{root}{DOCS_STATIC}/swagger-ui.css",
                               swagger_favicon_url=f"{root}{DOCS_STATIC}/favicon.png")  # fmt: skip


@docs_router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(openapi_url=f"{root}/openapi.json", title="longdoc - API",
                          redoc_js_url=f"{root}{DOCS_STATIC}/redoc.standalone.js",
                          redoc_favicon_url=f"{root}{DOCS_STATIC}/favicon.png", with_google_fonts=False)  # fmt: skip


@docs_router.get(DOCS_STATIC + "/{name}")
async def docs_asset(name: str) -> Response:
    if name not in DOCS_ASSETS:  # a fixed list, as for the page's own assets
        return Response(status_code=404)
    data = resources.files("fastapi_offline").joinpath("static", name).read_bytes()
    return Response(data, media_type=DOCS_ASSETS[name], headers={"Cache-Control": "max-age=86400"})
