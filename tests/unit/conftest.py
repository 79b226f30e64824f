from __future__ import annotations

import pytest

from bot.i18n import ContextCatalog, load_catalogs
from core.dialog.engine import Engine
from core.dialog.matching import LabelIndex
from core.dialog.model import Place

PLACES = (
    Place("centrum", "Terneuzen-Centrum"),
    Place("axel", "Axel"),
    Place("sluiskil", "Sluiskil"),
)


@pytest.fixture(scope="session")
def catalogs() -> dict[str, ContextCatalog]:
    return load_catalogs()


@pytest.fixture(scope="session")
def engine(catalogs: dict[str, ContextCatalog]) -> Engine:
    return Engine(LabelIndex(catalogs), PLACES)
