"""The catalogs and an engine for the regression tests that drive the conversation (a file
that needs other neighbourhoods defines its own ``engine``)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.i18n import load_catalogs
from core.dialog.engine import Engine
from core.dialog.matching import LabelIndex
from core.text.catalog import Catalog
from tests.unit.conftest import PLACES


@pytest.fixture(scope="session")
def catalogs() -> Mapping[str, Catalog]:
    return load_catalogs()


@pytest.fixture(scope="session")
def engine(catalogs: Mapping[str, Catalog]) -> Engine:
    return Engine(LabelIndex(catalogs), PLACES)
