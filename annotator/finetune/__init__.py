"""Fine-tuning through DashScope: upload the exported zips, train, pick a checkpoint,
deploy, and make a test video; every id and status the service returns is stored in the
workspace (annotator/workspace/remote.py), so each step is resumable and safe to re-run.

Modules, in pipeline order: ``exported`` (the export's files), ``upload``, ``jobs``,
``checkpoints``, ``deploy``, ``generate``; ``pipeline`` for the overview. ``client``
is the one HTTP client; ``poll`` the waiting; ``errors`` the messages.
Knows nothing of the CLI: progress and updates come back through callbacks.
"""
