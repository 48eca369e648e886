"""The review session's screens."""
