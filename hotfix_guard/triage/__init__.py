"""The triage advisor: is this really a hotfix? (SPEC §6, issue #6)

- :mod:`.questions`: the questionnaire, as data (ids, wording, accepted answers).
- :mod:`.decision`: the seed's decision tree and severity table, made exact.
- :mod:`.answers`: ``--answers FILE`` and ``--set ID=VALUE``.
- :mod:`.prompts`: the interactive questionnaire (rich; imported only on a terminal).
- :mod:`.templates`: next steps, the stakeholder announcement, the incident record.
- :mod:`.render`: the verdict as text and JSON.
- :mod:`.branch`: production's latest release and the hotfix branch to create.

Nothing here runs at import time, and nothing imports rich except :mod:`.prompts`.
"""
