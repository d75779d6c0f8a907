"""The change and its detectors: hunks read from git, comments, refactor detection.

Nothing here imports :mod:`hotfix_guard.engine`: the diff rules put these to use."""
