"""One thing to check (:class:`Target`) and the stages a check runs at.

Shared by everything that works out what to check -- the local branch
(:mod:`hotfix_guard.commands.check`), the refs of a push (:mod:`.prepush`), the CI's
variables (:mod:`.ci`) and shallow clones (:mod:`.shallow`) -- so it sits below them all.
"""

from __future__ import annotations

from collections import namedtuple

STAGES = ("pre-commit", "pre-push", "ci", "manual")


class Target(namedtuple("Target", "branch head base ref explicit_branch note unverified pushed_from",
                         defaults=(None, None, None, False, None, False, None))):
    """One thing to check: a ``branch`` name (None when there is none) and, when known,
    its ``head`` and ``base`` (commits), ``ref`` (the remote ref a push updates),
    ``explicit_branch`` (the name came from --branch or the push, not from HEAD),
    ``note`` (decided without checking: a deletion, a tag push, a detached HEAD...) and
    ``unverified`` (a pushed commit git is still being asked about: prepush.verify) and
    ``pushed_from`` (the local branch a push sends, when its name differs from ``branch``,
    the name on the remote)."""

    __slots__ = ()
