"""One test file per reported bug, named after what went wrong."""
