"""Storage and the services on real databases: every test using ``store`` or ``database_url``
runs on SQLite and on a throw-away PostgreSQL server."""
