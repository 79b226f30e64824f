"""The monitoring page for the regisseur: the figures of a period as charts (SVG drawn on
the server), tables and CSV files for Excel.

May import: as the dashboard (``bot.dashboard``).
"""
