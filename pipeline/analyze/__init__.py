"""Offline analyzers: the built-in ``rules`` model's parts."""
