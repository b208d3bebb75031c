"""The OpenAI-compatible simulator (tests and demos only, never in the request path)."""
