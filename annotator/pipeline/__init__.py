"""Use cases that join the store to the domain: caption a workspace, mine it, build its prompts.

The CLI and the review UI call these, so each step is done one way only.
"""
