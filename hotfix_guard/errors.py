"""The one error family. The CLI turns each into exit 2 and one clear line."""

from __future__ import annotations


class HotfixGuardError(Exception):
    """hotfix-guard could not run. ``message`` is one line; ``hint`` says what to do."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(HotfixGuardError):
    """Bad command-line arguments or an unknown rule selector."""


class ConfigError(HotfixGuardError):
    """A config file that is broken, or a key with a wrong name, type or value."""


class GitError(HotfixGuardError):
    """git failed, is missing, or the repository cannot give what is needed."""


class PluginError(HotfixGuardError):
    """A plugin failed to load or registered something invalid."""


class Skip(Exception):
    """Raised by a rule that cannot decide here (e.g. no development branch). Not an
    error of the run: the report lists the rule as skipped, with this reason."""
