"""Tokenizing, structure finding and segmenting: pure functions over text."""
