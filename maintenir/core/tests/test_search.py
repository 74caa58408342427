"""Text search: accents and case aside on the database in use, references however they are written."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintenir.assets.models import Site
from maintenir.assets.tests.factories import SiteFactory
from maintenir.core.search import Reference, filter_text, normalise, parse_reference

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Vérin de bridage", "verin"),
        ("vérin de bridage", "VÉRIN"),
        ("VÉRIN DE BRIDAGE", "vérin"),
        ("Électrovanne", "electrovanne"),
        ("Cœur de pompe", "coeur"),
        ("Coeur de pompe", "cœur"),
        ("Façade Nord", "FACADE"),
    ],
)
def test_a_name_is_found_whatever_its_accents_and_case(name: str, typed: str) -> None:
    site = SiteFactory(name=name)
    SiteFactory(name="Chaufferie")
    assert list(filter_text(Site.objects.all(), ("name",), typed)) == [site]


def test_every_word_must_be_found_in_one_of_the_fields() -> None:
    lyon = SiteFactory(name="Entrepôt", city="Lyon")
    SiteFactory(name="Entrepôt", city="Grenoble")
    SiteFactory(name="Siège", city="Lyon")
    assert list(filter_text(Site.objects.all(), ("name", "city"), "entrepot LYON")) == [lyon]


@pytest.mark.parametrize("typed", ["50%", "a_b", "\\"])
def test_wildcards_are_searched_as_themselves(typed: str) -> None:
    SiteFactory(name="Atelier")
    assert not filter_text(Site.objects.all(), ("name",), typed).exists()


def test_a_blank_search_keeps_every_row() -> None:
    SiteFactory.create_batch(2)
    assert filter_text(Site.objects.all(), ("name",), "  ").count() == 2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("OT-000014", Reference("OT", 14)),
        ("ot-000014", Reference("OT", 14)),
        ("OT000014", Reference("OT", 14)),
        ("OT 14", Reference("OT", 14)),
        ("OT14", Reference("OT", 14)),
        ("  DI-000008 ", Reference("DI", 8)),
        ("000014", Reference(None, 14)),
        ("14", Reference(None, 14)),
        ("#14", Reference(None, 14)),
        ("Vérin", None),
        ("OT-", None),
        ("OT-14b", None),
        ("1" * 30, None),
    ],
)
def test_references_in_their_written_forms(typed: str, expected: Reference | None) -> None:
    assert parse_reference(typed) == expected


@given(
    prefix=st.sampled_from(["OT", "DI", "ot", "di", "Ot"]),
    separator=st.sampled_from(["", "-", " ", "_", "/", "."]),
    zeros=st.integers(min_value=0, max_value=8),
    number=st.integers(min_value=1, max_value=10**12),
)
def test_any_written_form_of_a_reference_reads_as_its_number(
    prefix: str, separator: str, zeros: int, number: int
) -> None:
    written = f"{prefix}{separator}{'0' * zeros}{number}"
    assert parse_reference(written) == Reference(prefix.upper(), number)
    assert parse_reference(f"{'0' * zeros}{number}") == Reference(None, number)


@given(st.text())
def test_the_parser_never_fails_and_reads_only_small_enough_numbers(text: str) -> None:
    reference = parse_reference(text)
    assert reference is None or 0 <= reference.number < 2**63


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
