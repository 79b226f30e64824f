"""The reporter's dialog: the flows as data, the engine that moves a conversation
(``Engine.advance(state, event, now) -> Outcome``), reading answers, the summary, the
signal draft it ends in, and the telephone intake (the same flow read as one form).

May import: ``core.text``.
"""
