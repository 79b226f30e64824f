"""Configuration from the environment (prefix SIGNAALPUNT_) or a .env file."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from conversations.matching import Place
from conversations.text import DEFAULT_LANGUAGE

# Terneuzen's kernen; a municipality sets its own list.
DEFAULT_NEIGHBOURHOODS = (
    "Terneuzen-Centrum,Terneuzen-Noord,Terneuzen-Zuid,Axel,Sas van Gent,Sluiskil,"
    "Zaamslag,Hoek,Westdorpe,Philippine"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNAALPUNT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/signaalpunt.db"
    default_language: str = DEFAULT_LANGUAGE
    neighbourhoods: Annotated[str, NoDecode] = Field(default=DEFAULT_NEIGHBOURHOODS)
    outbox_batch: int = 50

    def places(self) -> tuple[Place, ...]:
        """The configured neighbourhoods with stable ids derived from their names."""
        names = [n.strip() for n in self.neighbourhoods.split(",") if n.strip()]
        return tuple(Place(_slug(name), name) for name in names)


def _slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.casefold()).split())
