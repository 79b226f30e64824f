"""The monitoring figures' queries: aggregates over the signals of a period, and the times
to pick up and to first contact counted in SQL from a per-day deadline table.

May import: the rest of ``storage``, ``core.monitoring`` and ``core.followup`` (the figures
and deadlines they feed).
"""
