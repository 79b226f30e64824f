"""The architecture, checked: the tree in docs/architecture.md against the packages on disk,
every package's docstring, and the import rules between the layers."""
