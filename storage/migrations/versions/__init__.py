"""The Alembic revisions; a package only so that they are installed with the code.

May import: alembic, sqlalchemy and ``storage.crypto`` (to encrypt what a revision seals);
never the models: a revision freezes the tables it needs.
"""
