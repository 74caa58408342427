"""The rules of obtaining a title, on cases written from the seed texts, under both versions of the rules."""

import datetime
import importlib
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintenir.certification import rules
from maintenir.certification.choices import (
    Document,
    ElementKind,
    FinalInterview,
    MemberProfile,
    PathKind,
    SessionKind,
    VersionStatus,
)
from maintenir.certification.models import RegulationVersion

SEED = importlib.import_module("maintenir.certification.migrations.0002_seed_titles")
CCS_ROUTES = importlib.import_module("maintenir.certification.migrations.0005_regulation_ccs_route").CCS_ROUTES
# The rows the data migrations load, unsaved: the rules read them by attribute only.
OLDER = RegulationVersion(**SEED.REGULATIONS["arrete-2006"], ccs_route=CCS_ROUTES["arrete-2006"])
NEWER = RegulationVersion(**SEED.REGULATIONS["arrete-2015"], ccs_route=CCS_ROUTES["arrete-2015"])
D = datetime.date


@dataclass
class Member:
    profile: str = MemberProfile.PROFESSIONAL
    years_in_trade: int = 10
    years_out_of_trade: int = 0
    approved: bool = True


TRAINER = Member(profile=MemberProfile.TRAINER)


# --- Experience and VAE ------------------------------------------------------------------------


def test_experience_counts_overlapping_periods_once() -> None:
    periods = [(D(2022, 1, 1), D(2022, 12, 31)), (D(2022, 7, 1), D(2023, 6, 30)), (D(2024, 1, 1), D(2024, 3, 31))]
    assert rules.experience_months(periods) == 18 + 3


def test_eighteen_months_admissible_under_newer_rules_refused_under_older() -> None:
    months = rules.experience_months([(D(2022, 1, 1), D(2023, 6, 30))])
    assert months == 18
    assert rules.vae_admissible(NEWER, months)
    refused = rules.vae_admissible(OLDER, months)
    assert not refused
    assert "36 months" in refused.reason


def test_vae_without_minimum_still_needs_some_experience() -> None:
    lifted = RegulationVersion(**{**SEED.REGULATIONS["arrete-2015"], "vae_min_experience_months": 0})
    assert not rules.vae_admissible(lifted, 0)
    assert rules.vae_admissible(lifted, 1)


def test_admissibility_is_valid_one_year_anniversary_included() -> None:
    """ "une notification de recevabilité lui permettant de s'inscrire à une session titre": one year, ending on
    the anniversary as the capitalisation deadlines do."""
    assert rules.admissibility_expires(D(2025, 1, 10)) == D(2026, 1, 10)
    assert rules.admissibility_expires(D(2024, 2, 29)) == D(2025, 2, 28)
    # One date rule: the five years of capitalisation end on the anniversary of the first CCP the same way.
    assert rules.capitalisation_deadline(OLDER, None, VersionStatus.ACTIVE, D(2025, 1, 10)) == D(2030, 1, 10)


# --- CCS ------------------------------------------------------------------------------------------


def test_ccs_without_the_title_is_refused_naming_the_title() -> None:
    """ "Un candidat peut préparer un CCS s'il est déjà titulaire du titre professionnel auquel le CCS est associé." """
    verdict = rules.ccs_route(NEWER, "Technicien du bâtiment communicant et connecté", False, PathKind.CONTINUOUS)
    assert not verdict
    assert verdict.reason.endswith(
        "holder of the title it is attached to: Technicien du bâtiment communicant et connecté."
    )


@pytest.mark.parametrize(
    ("regulation", "kind", "months", "allowed"),
    [
        (NEWER, PathKind.EXPERIENCE, 12, True),
        (NEWER, PathKind.EXPERIENCE, 11, False),
        (NEWER, PathKind.VAE, 36, False),
        (OLDER, PathKind.VAE, 12, False),
        (OLDER, PathKind.VAE, 36, True),
        (OLDER, PathKind.EXPERIENCE, 36, False),
    ],
)
def test_ccs_without_training_by_the_route_and_experience_of_the_text(
    regulation: RegulationVersion, kind: str, months: int, allowed: bool
) -> None:
    """Newer: "soit directement s'il justifie de 1 an d'expérience dans le métier visé"; older: "par la validation
    des acquis de l'expérience (VAE)"."""
    assert bool(rules.ccs_eligibility(regulation, "Titre", True, kind, months)) is allowed


def test_ccs_after_training_needs_no_experience() -> None:
    assert rules.ccs_eligibility(OLDER, "Titre", True, PathKind.DISCONTINUOUS, 0)


# --- CCPs held, missing, and until when -----------------------------------------------------


def test_revision_with_correspondences_leaves_only_the_uncovered_new_ccps() -> None:
    # Old version CCPs 1-4; the revision has CCPs 11-13; 1→11 and 2→12 correspond, 13 is new.
    held = rules.ccps_held({1: D(2022, 5, 1), 2: D(2022, 9, 1)}, [({1}, 11), ({2}, 12), ({3}, 13)])
    assert rules.missing_ccps([11, 12, 13], held) == [13]
    assert held[11] == D(2022, 5, 1)


def test_correspondences_chain_through_successive_revisions() -> None:
    assert 21 in rules.ccps_held({1: D(2020, 1, 1)}, [({11}, 21), ({1}, 11)])


def test_several_old_ccps_give_one_new_ccp_only_together() -> None:
    """ "l'arrêté de spécialité fixe les correspondances entre les CCP de l'ancien titre et ceux du titre révisé"
    (connected-building seed): old CCP3 and CCP4 together give new CCP13; old CCP4 also feeds new CCP14."""
    order = [({1}, 11), ({3, 4}, 13), ({4}, 14)]
    alone = rules.ccps_held({1: D(2022, 5, 1), 3: D(2022, 9, 1)}, order)
    assert rules.missing_ccps([11, 13, 14], alone) == [13, 14]
    both = rules.ccps_held({3: D(2022, 9, 1), 4: D(2023, 2, 1)}, order)
    assert rules.missing_ccps([11, 13, 14], both) == [11]
    # Held from the day the set was complete.
    assert both[13] == D(2023, 2, 1)
    assert both[14] == D(2023, 2, 1)


def test_partial_success_under_older_rules_gives_five_years_from_the_first_ccp() -> None:
    deadline = rules.capitalisation_deadline(OLDER, D(2030, 12, 31), VersionStatus.ACTIVE, D(2024, 6, 12))
    assert deadline == D(2029, 6, 12)


def test_partial_success_under_newer_rules_ends_with_the_title_validity() -> None:
    deadline = rules.capitalisation_deadline(NEWER, D(2027, 3, 31), VersionStatus.ACTIVE, D(2024, 6, 12))
    assert deadline == D(2027, 3, 31)


def test_validity_without_end_gives_no_deadline_under_newer_rules() -> None:
    assert rules.capitalisation_deadline(NEWER, None, VersionStatus.ACTIVE, D(2024, 6, 12)) is None


@pytest.mark.parametrize("regulation", [NEWER, OLDER])
def test_closed_title_leaves_one_year_after_the_end_of_validity(regulation: RegulationVersion) -> None:
    # Two of four CCPs obtained a year before the closure.
    deadline = rules.capitalisation_deadline(regulation, D(2025, 12, 31), VersionStatus.CLOSED, D(2024, 12, 1))
    assert deadline == D(2026, 12, 31)


def test_closure_never_extends_the_older_rules_five_years() -> None:
    deadline = rules.capitalisation_deadline(OLDER, D(2025, 12, 31), VersionStatus.CLOSED, D(2021, 3, 1))
    assert deadline == D(2026, 3, 1)


# --- Sessions --------------------------------------------------------------------------------


def test_session_after_the_end_of_validity_is_refused() -> None:
    verdict = rules.session_date_allowed(NEWER, D(2020, 1, 1), D(2025, 12, 31), VersionStatus.REVISED, D(2026, 1, 5))
    assert not verdict
    assert "ended" in verdict.reason


def test_closed_title_keeps_sessions_for_one_year() -> None:
    args = (NEWER, D(2020, 1, 1), D(2025, 12, 31), VersionStatus.CLOSED)
    assert rules.session_date_allowed(*args, D(2026, 12, 31))
    assert not rules.session_date_allowed(*args, D(2027, 1, 1))


def test_session_before_the_validity_is_refused() -> None:
    assert not rules.session_date_allowed(NEWER, D(2020, 1, 1), None, VersionStatus.ACTIVE, D(2019, 12, 31))


# --- Final interview and documents ---------------------------------------------------------


def test_final_interview() -> None:
    assert rules.final_interview(NEWER, PathKind.CONTINUOUS, holds_all_ccps=False) is None
    assert rules.final_interview(NEWER, PathKind.VAE, holds_all_ccps=True) == FinalInterview.REQUIRED
    assert rules.final_interview(OLDER, PathKind.VAE, holds_all_ccps=True) == FinalInterview.JURY_MAY_CALL
    assert rules.final_interview(OLDER, PathKind.DISCONTINUOUS, holds_all_ccps=True) == FinalInterview.REQUIRED


def test_documents() -> None:
    assert rules.documents_due(True, False, 4) == [Document.PARCHEMIN_TITLE]
    assert rules.documents_due(False, False, 2) == [Document.LIVRET]
    assert rules.documents_due(False, False, 0) == []
    assert rules.documents_due(True, True, 2) == [Document.PARCHEMIN_TITLE, Document.PARCHEMIN_CCS]


def test_in_training_results_are_refused_for_a_vae_candidate() -> None:
    assert not rules.element_allowed(PathKind.VAE, ElementKind.IN_TRAINING)
    assert rules.element_allowed(PathKind.CONTINUOUS, ElementKind.IN_TRAINING)
    assert rules.element_allowed(PathKind.VAE, ElementKind.PRACTICE_FILE)


# --- Jury composition --------------------------------------------------------------------------


def test_a_jury_of_one_is_invalid() -> None:
    problems = rules.jury_problems(NEWER, SessionKind.TITLE, [Member()])
    assert problems == ["The jury needs at least 2 professionals; it has 1."]


def test_a_jury_of_two_approved_professionals_is_valid() -> None:
    assert rules.jury_problems(NEWER, SessionKind.TITLE, [Member(), Member()]) == []
    assert rules.jury_problems(NEWER, SessionKind.CCP, [Member(), Member()]) == []


def test_older_rules_evaluate_a_ccp_by_a_professional_and_a_trainer() -> None:
    assert rules.jury_problems(OLDER, SessionKind.CCP, [Member(), TRAINER]) == []
    assert rules.jury_problems(OLDER, SessionKind.CCP, [Member(), Member()])
    assert rules.jury_problems(OLDER, SessionKind.TITLE, [Member(), TRAINER])


def test_members_since_2017_have_three_years_and_left_at_most_five_years_ago() -> None:
    novice = Member(years_in_trade=2)
    retired = Member(years_out_of_trade=6)
    assert len(rules.jury_problems(NEWER, SessionKind.TITLE, [Member(), novice, retired])) == 2
    assert rules.jury_problems(OLDER, SessionKind.TITLE, [Member(), novice, retired]) == []


def test_every_member_is_approved() -> None:
    assert rules.jury_problems(OLDER, SessionKind.TITLE, [Member(), Member(approved=False)]) == [
        "Every member must be approved."
    ]


# --- Properties --------------------------------------------------------------------------------

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))
regulations = st.sampled_from([OLDER, NEWER])
statuses = st.sampled_from(list(VersionStatus))


@given(regulations, days, days, statuses, st.lists(days, min_size=1, max_size=6))
def test_a_deadline_never_precedes_the_first_ccp(
    regulation: RegulationVersion, start: datetime.date, end: datetime.date, status: str, session_days: list
) -> None:
    valid_from, valid_until = min(start, end), max(start, end)
    held = [day for day in session_days if rules.session_date_allowed(regulation, valid_from, valid_until, status, day)]
    if held:
        deadline = rules.capitalisation_deadline(regulation, valid_until, status, min(held))
        assert deadline is not None
        assert deadline >= min(held)


@given(regulations, days, st.sampled_from([1, 12, 60]))
def test_a_validity_never_ends_before_its_anniversary(
    regulation: RegulationVersion, start: datetime.date, months: int
) -> None:
    """One date rule for every validity counted from a date: the anniversary is the last day, included."""
    end = rules.validity_end(start, months)
    assert end == rules.add_months(start, months)
    assert end > start
    if months == 12:
        assert rules.admissibility_expires(start) == end
        assert (end.year, end.month) == (start.year + 1, start.month)
        assert end.day >= min(start.day, 28)
    if months == 60:
        assert rules.capitalisation_deadline(OLDER, None, VersionStatus.ACTIVE, start) == end


@given(
    st.dictionaries(st.integers(0, 20), days, max_size=8),
    st.lists(st.tuples(st.frozensets(st.integers(0, 20), min_size=1, max_size=3), st.integers(0, 20)), max_size=10),
)
def test_ccps_held_keep_every_grant_and_add_only_corresponding_ccps(granted: dict, sets: list) -> None:
    held = rules.ccps_held(granted, sets)
    assert all(held[ccp] <= day for ccp, day in granted.items())
    reachable = set(granted) | {new for _old, new in sets}
    assert set(held) <= reachable
    # A new CCP is held only when all the old CCPs of one of its correspondences are.
    for ccp in set(held) - set(granted):
        assert any(new == ccp and old <= held.keys() for old, new in sets)


revisions = st.integers(1, 6).flatmap(
    lambda old_count: st.tuples(
        st.just(old_count),
        st.lists(st.frozensets(st.integers(1, old_count), min_size=1, max_size=3), min_size=1, max_size=6),
    )
)


@given(revisions, st.dictionaries(st.integers(1, 6), days, max_size=6))
def test_held_ccps_never_shrink_when_a_version_is_revised_with_full_correspondences(
    revision: tuple[int, list[frozenset[int]]], granted: dict
) -> None:
    """ "En cas de révision du titre, l'arrêté de spécialité fixe les correspondances [...] Le candidat se présente
    aux CCP manquants du nouveau titre." With every old CCP in some correspondence, a candidate holding the whole
    old version misses nothing of the new one, and holding more old CCPs never gives fewer new ones."""
    old_count, sets = revision
    order = [(old, 100 + position) for position, old in enumerate(sets)]
    order += [({ccp}, 200 + ccp) for ccp in range(1, old_count + 1) if not any(ccp in old for old in sets)]
    new_ccps = [new for _old, new in order]
    granted = {ccp: day for ccp, day in granted.items() if ccp <= old_count}
    held = rules.ccps_held(granted, order)
    assert all(held[ccp] <= day for ccp, day in granted.items())
    everything = rules.ccps_held(dict.fromkeys(range(1, old_count + 1), D(2020, 1, 1)), order)
    assert rules.missing_ccps(new_ccps, everything) == []
    fewer = rules.ccps_held(dict(list(granted.items())[:-1]), order)
    assert set(fewer) <= set(held)


@given(st.lists(st.tuples(days, st.integers(0, 2000)), max_size=6))
def test_experience_never_exceeds_the_span_of_the_periods(spans: list) -> None:
    periods = [(start, start + datetime.timedelta(days=length)) for start, length in spans]
    months = rules.experience_months(periods)
    assert months >= 0
    if periods:
        first = min(start for start, _end in periods)
        last = max(end for _start, end in periods)
        assert months <= rules.months_between(first, last + datetime.timedelta(days=1))
