"""Segment -> model: catalog, providers, router, route plan, spend cap, audit."""
