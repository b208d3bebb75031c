"""longdoc: long contracts and papers in, cited reports out."""

__version__ = "0.1.0"
