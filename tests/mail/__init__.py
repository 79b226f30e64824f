"""Mail to staff: composing, and sending through a real SMTP server on loopback."""
