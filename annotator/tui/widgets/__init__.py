"""The review session's widgets."""
