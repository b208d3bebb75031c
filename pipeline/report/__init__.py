"""Document view -> JSON model, Markdown, DOCX memo, CSV/XLSX tables."""
