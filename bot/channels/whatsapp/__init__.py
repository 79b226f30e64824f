"""The WhatsApp channel (Cloud API through pywa, our own webhook routes)."""
