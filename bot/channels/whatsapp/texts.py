"""Texts only WhatsApp needs: the button that opens a list, the list's heading, and the
hint under options that can only be typed. Checked against WhatsApp's limits in tests."""

from __future__ import annotations

from core.text.msgids import P_

LIST_BUTTON = P_("WhatsApp: the button that opens a list (max 20 characters)", "Choose")
LIST_SECTION = P_("WhatsApp: the heading of a list (max 24 characters)", "Answers")
TYPE_NUMBER = P_(
    "WhatsApp: under answers that can only be typed", "Type the number of your answer."
)
TYPE_NUMBERS = P_(
    "WhatsApp: under answers that can only be typed (multiple choice)",
    "Type the numbers of your answers, for example: 1, 3.",
)
