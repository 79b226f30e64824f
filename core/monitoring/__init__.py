"""The monitoring figures of a period, from aggregate rows: the period's days and weeks,
counts per category, and how fast signals were picked up and contacted.

May import: ``core.text``, ``core.dialog``, ``core.lifecycle`` (statuses) and
``core.followup`` (deadlines in working time).
"""
