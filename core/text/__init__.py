"""Texts as msgids: the languages, a text with its parameters (``Msg``), the catalog port,
rendering for one reader (bidi isolates, dates), and making typed text safe.

May import: the standard library and babel. Nothing else of the project: every other
part of the core writes its texts with these.
"""
