"""Findings of all segments -> one document view: references, terms, conflicts, synthesis."""
