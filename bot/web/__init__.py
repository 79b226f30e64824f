"""The web side: the residents' chat (/chat) and the loket dashboard (/loket)."""
