"""The follow-up rules: deadlines in working time (office hours, weekends, public
holidays), the check-ins that fall due, their texts, and the messages relayed between
staff and a reporter (never a phone number).

May import: ``core.text``, ``core.dialog`` (replies) and ``core.lifecycle`` (statuses).
"""
