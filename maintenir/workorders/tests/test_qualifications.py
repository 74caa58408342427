"""Who is qualified for a work order: requirements, profiles, what is missing, and assignment."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.certification.tests.factories import (
    ActivityTypeFactory,
    DecisionFactory,
    GrantedCcpFactory,
    TitleVersionFactory,
    correspondence,
)
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.people.choices import SkillLevel
from maintenir.people.tests.factories import (
    HabilitationFactory,
    SkillFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    habilitation_type,
)
from maintenir.workorders import qualifications, services
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import Supervision
from maintenir.workorders.qualifications import CCP, HABILITATION, SKILL, Need, Profile
from maintenir.workorders.tests.factories import (
    WorkOrderFactory,
    WorkOrderRequirementFactory,
    WorkTypeRequirementFactory,
)

TODAY = datetime.date(2026, 3, 2)


# --- The rule, without the database ------------------------------------------------------------

DAYS = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2027, 12, 31))
IDS = st.integers(min_value=1, max_value=3)
LEVELS = st.sampled_from([int(level) for level in SkillLevel])


@st.composite
def habilitation_spans(draw: Any) -> tuple[datetime.date, datetime.date | None]:
    granted = draw(DAYS)
    expires = draw(st.one_of(st.none(), DAYS.filter(lambda day: day >= granted)))
    return granted, expires


@st.composite
def needs(draw: Any) -> Need:
    kind = draw(st.sampled_from([SKILL, HABILITATION, CCP]))
    target = draw(IDS)
    return Need(kind, target, f"{kind} {target}", draw(LEVELS) if kind == SKILL else None)


profiles = st.builds(
    Profile,
    user_id=st.just(1),
    skills=st.dictionaries(IDS, LEVELS),
    habilitations=st.dictionaries(IDS, habilitation_spans()),
    ccps=st.sets(IDS),
)


@given(profile=profiles, wanted=st.lists(needs(), max_size=5), day=DAYS)
def test_nothing_missing_exactly_when_every_key_is_held_on_the_day(
    profile: Profile, wanted: list[Need], day: datetime.date
) -> None:
    keys = profile.qualification_keys(on=day)
    held = all(need.key in keys and (keys[need.key] is None or day <= keys[need.key]) for need in wanted)  # type: ignore[operator]
    assert (qualifications.missing(profile, wanted, day) == []) is held


@given(profile=profiles, wanted=st.lists(needs(), max_size=5), day=DAYS)
def test_one_label_per_need_missing(profile: Profile, wanted: list[Need], day: datetime.date) -> None:
    keys = profile.qualification_keys(on=day)
    lacking = [need for need in wanted if need.key not in keys or (keys[need.key] or day) < day]
    assert len(qualifications.missing(profile, wanted, day)) == len(lacking)


def test_a_skill_level_covers_the_levels_below() -> None:
    keys = Profile(1, skills={7: SkillLevel.EXPERT}).qualification_keys()
    assert {"skill:7:1", "skill:7:2", "skill:7:3"} <= set(keys)
    assert "skill:7:1" in Profile(1, skills={7: SkillLevel.BASIC}).qualification_keys()
    assert "skill:7:2" not in Profile(1, skills={7: SkillLevel.BASIC}).qualification_keys()


def test_an_expired_habilitation_says_when_and_a_future_one_says_not_yet() -> None:
    need = Need(HABILITATION, 4, "habilitation B1V")
    expired = Profile(1, habilitations={4: (datetime.date(2024, 1, 1), datetime.date(2026, 2, 1))})
    future = Profile(1, habilitations={4: (datetime.date(2026, 4, 1), None)})
    assert qualifications.missing(expired, [need], TODAY) == ["habilitation B1V (expired on Feb. 1, 2026)"]
    assert qualifications.missing(future, [need], TODAY) == ["habilitation B1V (not yet granted)"]
    assert qualifications.missing(expired, [need], datetime.date(2026, 2, 1)) == []
    assert "hab:4" not in future.qualification_keys(on=TODAY)
    assert future.qualification_keys() == {"hab:4": None}


# --- Requirements and profiles from the database -----------------------------------------------


@pytest.mark.django_db
def test_requirements_of_orders_and_their_types_in_two_queries(django_assert_num_queries: Any) -> None:
    skill = SkillFactory(name="Hydraulics")
    b1v = habilitation_type("B1V")
    orders = WorkOrderFactory.create_batch(3)
    improvement = WorkOrderFactory(work_type=WorkOrderType.IMPROVEMENT)
    for order in orders:
        WorkOrderRequirementFactory(work_order=order, skill=skill)
    WorkTypeRequirementFactory(work_type=WorkOrderType.CORRECTIVE, habilitation_type=b1v)
    # The same need stated twice counts once.
    WorkTypeRequirementFactory(work_type=WorkOrderType.CORRECTIVE, skill=skill)
    with django_assert_num_queries(2):
        found = qualifications.requirements_of([*orders, improvement])
    assert [need.label for need in found[orders[0].pk]] == ["skill Hydraulics, level Autonomous", "habilitation B1V"]
    assert [need.key for need in found[orders[0].pk]] == [f"skill:{skill.pk}:2", f"hab:{b1v.pk}"]
    assert found[improvement.pk] == []


@pytest.mark.django_db
def test_profiles_of_many_people_in_a_fixed_number_of_queries(django_assert_num_queries: Any) -> None:
    version = TitleVersionFactory()
    ccp = ActivityTypeFactory(version=version, name="Maintenir les équipements")
    revised = TitleVersionFactory(title=version.title, revises=version, valid_from=datetime.date(2031, 1, 1))
    new_ccp = ActivityTypeFactory(version=revised)
    correspondence(new_ccp, ccp)
    by_grant, by_title, by_correspondence, nobody = UserFactory.create_batch(4, role=Role.TECHNICIAN)
    GrantedCcpFactory(
        ccp=ccp, decision__registration__candidate__user=by_grant, decision__registration__session__version=version
    )
    DecisionFactory(registration__candidate__user=by_title, registration__session__version=version, title_granted=True)
    GrantedCcpFactory(
        ccp=ccp,
        decision__registration__candidate__user=by_correspondence,
        decision__registration__session__version=version,
    )
    trainee = TechnicianFactory(is_trainee=True, technical_referent=TechnicianFactory(user=nobody))
    TechnicianSkillFactory(technician=trainee, level=SkillLevel.BASIC)
    HabilitationFactory(technician=trainee)
    people = [by_grant, by_title, by_correspondence, nobody, trainee.user]
    with django_assert_num_queries(6):
        found = qualifications.profiles_of(people, {ccp.pk, new_ccp.pk})
    assert found[by_grant.pk].ccps == {ccp.pk, new_ccp.pk}
    assert found[by_title.pk].ccps == {ccp.pk, new_ccp.pk}
    assert found[nobody.pk] == Profile(nobody.pk)
    assert found[trainee.user_id].is_trainee
    assert found[trainee.user_id].referent_user_id == nobody.pk
    assert len(found[trainee.user_id].skills) == len(found[trainee.user_id].habilitations) == 1


# --- Assignment --------------------------------------------------------------------------------


def technician(name: str, **fields: Any) -> Any:
    return TechnicianFactory(user__first_name=name, user__last_name="", **fields)


@pytest.fixture
def order(db: None) -> Any:
    return WorkOrderFactory(status=WorkOrderStatus.APPROVED)


def refusal(manager: Any, order: Any, people: list[Any]) -> list[str]:
    assignees_before = set(order.assignees.all())
    with pytest.raises(ValidationError) as raised:
        services.assign_work_order(manager, order, people)
    assert set(order.assignees.all()) == assignees_before
    assert not Supervision.objects.filter(work_order=order).exists()
    return raised.value.message_dict["assignees"]


def test_missing_skill_is_refused_naming_it(manager: Any, order: Any) -> None:
    WorkOrderRequirementFactory(work_order=order, skill=SkillFactory(name="Hydraulics"), min_level=SkillLevel.EXPERT)
    alice = technician("Alice")
    TechnicianSkillFactory(technician=alice, skill=order.requirements.get().skill, level=SkillLevel.AUTONOMOUS)
    assert refusal(manager, order, [alice.user]) == [
        "Alice lacks: skill Hydraulics, level Expert: diagnoses and trains others."
    ]


def test_expired_habilitation_counts_as_missing(manager: Any, order: Any) -> None:
    WorkOrderRequirementFactory(work_order=order, habilitation_type=habilitation_type("B1V"))
    alice = technician("Alice")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    HabilitationFactory(technician=alice, habilitation_type=habilitation_type("B1V"), expires_on=yesterday)
    [message] = refusal(manager, order, [alice.user])
    assert message.startswith("Alice lacks: habilitation B1V (expired on ")


def test_habilitation_checked_on_the_planned_day(manager: Any, order: Any) -> None:
    WorkTypeRequirementFactory(work_type=order.work_type, habilitation_type=habilitation_type("H0V"))
    alice = technician("Alice")
    in_a_week = timezone.localdate() + datetime.timedelta(days=7)
    HabilitationFactory(technician=alice, habilitation_type=habilitation_type("H0V"), expires_on=in_a_week)
    services.assign_work_order(manager, order, [alice.user])
    later = timezone.now() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="expired on"):
        services.plan_work_order(manager, order, [alice.user], later)


def test_missing_ccp_is_refused_and_a_holder_accepted(manager: Any, order: Any) -> None:
    ccp = ActivityTypeFactory(name="Maintenir les équipements")
    WorkOrderRequirementFactory(work_order=order, ccp=ccp)
    alice, bob = technician("Alice"), technician("Bob")
    GrantedCcpFactory(
        ccp=ccp, decision__registration__candidate__user=bob.user, decision__registration__session__version=ccp.version
    )
    assert refusal(manager, order, [alice.user, bob.user]) == ["Alice lacks: CCP Maintenir les équipements."]
    services.assign_work_order(manager, order, [bob.user])
    assert list(order.assignees.all()) == [bob.user]


def test_trainee_without_tutor_is_refused(manager: Any, order: Any) -> None:
    trainee = technician("Tom", is_trainee=True)
    assert refusal(manager, order, [trainee.user]) == ["Tom is a trainee: assign a qualified technician with them."]


def test_trainee_with_an_unqualified_colleague_is_refused(manager: Any, order: Any) -> None:
    WorkOrderRequirementFactory(work_order=order, skill=SkillFactory(name="Hydraulics"))
    trainee, alice = technician("Tom", is_trainee=True), technician("Alice")
    assert refusal(manager, order, [trainee.user, alice.user]) == [
        "Tom is a trainee: assign a qualified technician with them.",
        "Alice lacks: skill Hydraulics, level Autonomous.",
    ]


def test_trainee_with_tutor_is_accepted_and_the_pairing_recorded(manager: Any, order: Any) -> None:
    skill = SkillFactory(name="Hydraulics")
    WorkOrderRequirementFactory(work_order=order, skill=skill)
    alice, bob = technician("Alice"), technician("Bob")
    trainee = technician("Tom", is_trainee=True, technical_referent=bob)
    for tutor in (alice, bob):
        TechnicianSkillFactory(technician=tutor, skill=skill)
    # The trainee lacks the skill: the tutor covers it. Their referent, when assigned, is the tutor.
    services.assign_work_order(manager, order, [alice.user, trainee.user, bob.user])
    assert list(Supervision.objects.values_list("trainee", "tutor")) == [(trainee.user_id, bob.user_id)]
    # Reassigning rewrites the pairing.
    services.assign_work_order(manager, order, [trainee.user, alice.user])
    assert list(Supervision.objects.values_list("trainee", "tutor")) == [(trainee.user_id, alice.user_id)]
    services.assign_work_order(manager, order, [alice.user])
    assert not Supervision.objects.exists()


def test_a_trainee_habilitation_is_personal(manager: Any, order: Any) -> None:
    WorkOrderRequirementFactory(work_order=order, habilitation_type=habilitation_type("B1V"))
    alice, trainee = technician("Alice"), technician("Tom", is_trainee=True)
    HabilitationFactory(technician=alice, habilitation_type=habilitation_type("B1V"))
    assert refusal(manager, order, [alice.user, trainee.user]) == ["Tom lacks: habilitation B1V."]


def test_an_order_without_requirements_takes_anyone_who_is_no_trainee(manager: Any, order: Any) -> None:
    account_only = UserFactory(role=Role.TECHNICIAN)
    services.assign_work_order(manager, order, [account_only])
    assert list(order.assignees.all()) == [account_only]
