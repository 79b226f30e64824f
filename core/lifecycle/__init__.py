"""A signal after it is sent: the lifecycle table (statuses, staff actions, roles,
``check_action``) and what loket staff read of a signal (the group card, the details, the
confirmations of their actions), always in Dutch.

May import: ``core.text`` and ``core.dialog`` (to read a signal's answers back).
"""
