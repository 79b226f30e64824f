"""Staff dashboard passwords: Argon2id (memory-hard) hashes, and the password rules.

Hashing takes tens of milliseconds and 64 MiB on purpose; the web handlers call it in a
thread, so one login does not stall every other request.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile (t=3, 64 MiB, p=4).
_HASHER = PasswordHasher()
# Verified when the username is unknown, so a wrong name costs as long as a wrong password
# (timing does not tell which usernames exist).
_DUMMY = _HASHER.hash("not a password of anybody")

MIN_LENGTH = 12
MAX_LENGTH = 256  # a longer "password" is a denial of service, not a password


def password_problem(password: str, username: str) -> str | None:
    """Why this password cannot be used (for the administrator at the CLI), or None."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters (a few words work well)"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if password.strip().casefold() == username.strip().casefold():
        return "the password must not be the username"
    if len(set(password)) < 4:
        return "the password repeats too few characters"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; ``stored`` None (unknown user) costs the
    same time and is False."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)


async def verify_in_thread(stored: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, stored, password)


async def hash_in_thread(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)
