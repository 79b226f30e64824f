"""Texts only WhatsApp needs: the button that opens a list, the list's heading, and the
hint under options that can only be typed. Checked against WhatsApp's limits in tests."""

from __future__ import annotations

from conversations.text import N_

LIST_BUTTON = N_("Choose")  # at most 20 characters in every language
LIST_SECTION = N_("Options")  # at most 24 characters in every language
TYPE_NUMBER = N_("Type the number of your answer.")
TYPE_NUMBERS = N_("Type the numbers of your answers, for example 1, 3.")
