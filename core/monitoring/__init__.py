"""The monitoring figures of a period, from aggregate rows: the period's days and weeks,
counts per category, and how fast signals were picked up and contacted.

May import: ``core.text`` and ``core.followup`` (deadlines in working time).
"""
