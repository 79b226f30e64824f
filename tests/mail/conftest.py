"""What the mail tests share: the Dutch catalog, a sample notice, the test CA."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import load_catalog
from bot.mail.notices import Translate
from tests.support.tls import LocalCA, make_ca


@pytest.fixture(scope="session")
def dutch() -> Translate:
    return load_catalog("nl").gettext


@pytest.fixture(scope="session")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return make_ca(Path(tmp_path_factory.mktemp("ca")))
