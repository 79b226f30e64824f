"""The catalogs of both domains are complete, correct and in sync with the code: the
residents' (``signaalpunt``, every language, every text with its context) and staff's
(``staff``, Dutch only, no context)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from bot.i18n import load_catalogs
from core.dialog.dialogs import DIALOGS
from core.dialog.engine import Engine
from core.dialog.flows import FLOWS
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES, STAFF_LANGUAGE
from tests.support.driver import Driver
from tests.unit.conftest import PLACES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
RESIDENTS, STAFF = "signaalpunt", "staff"
# Every catalog: (domain, language).
CATALOGS = [*((RESIDENTS, language) for language in LANGUAGES), (STAFF, STAFF_LANGUAGE)]
# The keywords of each domain, as `make pot` extracts them.
KEYWORDS = {
    RESIDENTS: ["P_:1c,2", "Pn_:1c,2,3", "pgettext:1c,2", "npgettext:1c,2,3"],
    STAFF: ["N_", "Nn_:1,2", "_", "ngettext:1,2"],
}


def po_path(language: str, domain: str = RESIDENTS) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


def msgids_of(path: Path) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every entry: the same words may stand in two contexts."""
    with path.open("rb") as handle:
        return {
            (m.context, str(m.id if isinstance(m.id, str) else m.id[0]))
            for m in read_po(handle)
            if m.id
        }


@pytest.mark.parametrize(("domain", "language"), CATALOGS)
def test_msgfmt_check_format(domain: str, language: str) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is required (make test installs it)"
    result = subprocess.run(
        [msgfmt, "-c", "--check-format", "-o", "/dev/null", str(po_path(language, domain))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(("domain", "language"), CATALOGS)
def test_no_untranslated_fuzzy_or_missing_plural(domain: str, language: str) -> None:
    with po_path(language, domain).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert not catalog.fuzzy
    expected_plurals = Locale.parse(language).plural_form.rules
    nplurals = catalog.num_plurals
    assert nplurals >= 1
    assert expected_plurals or nplurals == 1
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        if isinstance(message.string, tuple):
            if len(message.string) != nplurals or not all(message.string):
                problems.append(("plural", message.id))
        elif not message.string:
            problems.append(("untranslated", message.id))
    assert problems == []


def test_arabic_has_six_plural_forms() -> None:
    with po_path("ar").open("rb") as handle:
        assert read_po(handle, locale="ar").num_plurals == 6


@pytest.mark.parametrize(("domain", "language"), CATALOGS)
def test_catalog_matches_the_template(domain: str, language: str) -> None:
    assert msgids_of(po_path(language, domain)) == msgids_of(LOCALES / f"{domain}.pot")


def test_staff_texts_are_dutch_only() -> None:
    """Translators of the residents' languages see only what residents read."""
    assert sorted(LOCALES.glob(f"*/LC_MESSAGES/{STAFF}.po")) == [po_path(STAFF_LANGUAGE, STAFF)]
    assert all(context is not None for context, _ in msgids_of(LOCALES / f"{RESIDENTS}.pot"))
    assert all(context is None for context, _ in msgids_of(LOCALES / f"{STAFF}.pot"))


def test_staff_read_the_staff_catalog() -> None:
    """The catalog staff's texts are rendered with holds the staff domain's Dutch (and the
    residents' Dutch, which staff read too)."""
    catalog = load_catalogs()[STAFF_LANGUAGE]
    with po_path(STAFF_LANGUAGE, STAFF).open("rb") as handle:
        staff = [(m.id, m.string) for m in read_po(handle) if m.id and isinstance(m.id, str)]
    assert staff
    assert [i for i, translated in staff if catalog.gettext(str(i)) != translated] == []
    assert catalog.pgettext("check-in answer", "Yes") == "Ja"


@pytest.mark.parametrize("domain", [RESIDENTS, STAFF])
def test_template_matches_the_code(tmp_path: Path, domain: str) -> None:
    fresh = tmp_path / "fresh.pot"
    keywords = [arg for keyword in KEYWORDS[domain] for arg in ("-k", keyword)]
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "--no-default-keywords",
            *keywords,
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    assert msgids_of(fresh) == msgids_of(LOCALES / f"{domain}.pot"), "run `make pot`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_leads_back_to_its_own_choice(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str
) -> None:
    """Typed labels must be unambiguous within each question, in every language."""
    from core.dialog.asking import choices_for
    from core.text.render import render_label

    d = Driver(engine, catalogs, language)
    steps = [s for f in FLOWS.values() for s in f.steps] + list(DIALOGS.values())
    for step in steps:
        shown = choices_for(step, d.state, PLACES)
        for choice in shown:
            label = render_label(choice.label, catalogs[language], language)
            assert engine.labels.by_label(label, shown, language) == choice.id, (step.id, label)
