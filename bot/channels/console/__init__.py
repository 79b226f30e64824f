"""The terminal chat (``signaalpunt chat``): one reporter types, the loket's messages print
below; also the staff side of ``signaalpunt run`` when there is no Telegram group.

May import: as every channel (``bot.channels``).
"""
