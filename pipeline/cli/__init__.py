"""Entry points: the `longdoc` commands."""
