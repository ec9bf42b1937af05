"""The claims' headline numbers: one module per claim section, each a set of ``fn(evidence,
used) -> Headline`` functions that the claim records name as their ``headline``.

They read only the stored evidence (the info keys each claim's ``evaluate``/``summary``
writes), so a stored run or ``report.json`` gives the same tables as a fresh run. They are
presentation: nothing here takes part in a verdict.
"""

__all__: list[str] = []
