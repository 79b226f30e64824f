"""The core and the pure parts of the shell: no database, no network."""
