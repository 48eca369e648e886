"""Counting words for what the tool says: "1 sample", "2 samples"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """COUNT and NOUN, in the singular for one and the plural otherwise (NOUN + "s" unless
    PLURAL is given)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
