"""Every page, file and report of the site, as the other client: nothing of client A is shown, found
or changed.

Each route of the site (the API has its own table) has a row in PAGES; `test_every_page_is_in_the_table`
fails when a new one has none. A row names the object of client A the page is about (none for lists
and forms) and who may open it, as a control that the object is the right one: that person gets the
page (with client A's names on it when it is client A's own page, so that their absence for the other
client means something); the other client gets "not found", or "forbidden" where their role may not
open such pages at all, and never client A's names. Every page is also posted to with client A's ids
in the usual fields, and no row of any table may change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode

from maintenir.assets.models import Document, Equipment, Site
from maintenir.certification import models as certification
from maintenir.certification.tests.factories import DecisionFactory, RegistrationFactory
from maintenir.core.models import Organisation
from maintenir.core.tests.clients import client_for
from maintenir.core.tests.tables import snapshot
from maintenir.devices.models import Application, Device, ParameterSet, Point
from maintenir.people.models import (
    Absence,
    Habilitation,
    HabilitationType,
    PreventionPlan,
    SiteRisk,
    Team,
    Technician,
    TechnicianSkill,
)
from maintenir.people.tests.factories import HabilitationTypeFactory
from maintenir.planning.models import DispatchPlan
from maintenir.preventive.models import (
    Gamme,
    GammeStep,
    GammeStepRequirement,
    MaintenancePlan,
    TrainingSession,
    Trigger,
)
from maintenir.reliability.models import ImprovementProposal
from maintenir.stores.models import (
    CycleCount,
    CycleCountLine,
    Location,
    Part,
    PartDocument,
    PartFit,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    ReorderRule,
    RepairableUnit,
    Supplier,
    SupplierPart,
)
from maintenir.workorders.models import (
    ChecklistStep,
    CommissioningCheck,
    LockoutStep,
    OnCallCall,
    WorkOrder,
    WorkOrderRequirement,
    WorkRequest,
    WorkRequestPhoto,
    WorkTypeRequirement,
)

# What client A's pages show that must never reach client B (see maintenir/conftest.py).
CLIENT_A_MARKS = ("Tertiaire Lumière", "Siège Lumière", "AHU-01")


def of_a(model: type[Model]) -> Any:
    """A row of `model` that belongs to client A (any row for records that belong to no client)."""
    rows = model._default_manager.order_by("pk")
    path = getattr(model, "tenant_path", None)
    if path is not None:
        rows = rows.filter(**{path: Organisation.objects.get(code="client-a").pk})
    found = rows.first()
    assert found is not None, f"no {model.__name__} of client A"
    return found


def pk_of(model: type[Model]) -> Callable[[], list[Any]]:
    return lambda: [of_a(model).pk]


@dataclass(frozen=True)
class Page:
    name: str
    args: Callable[[], list[Any]] | None = None  # client A's object(s) in the path; None for lists and forms
    opener: str | None = None  # who opens it (GET 200); None for what is only posted to
    query: Callable[[], dict[str, Any]] = field(default=dict)
    shared: bool = False  # a record every client may read (a catalogue, the public referential)
    search: bool = False  # `query` searches for client A's names: the other client gets the page, finding nothing

    def url(self) -> str:
        return reverse(self.name, args=self.args() if self.args else None)

    def __str__(self) -> str:
        return self.name


SITE, EQUIPMENT, ORDER = pk_of(Site), pk_of(Equipment), pk_of(WorkOrder)
CANDIDATE, PATH, SESSION = pk_of(certification.Candidate), pk_of(certification.Path), pk_of(certification.Session)
REGISTRATION, TECHNICIAN = pk_of(certification.Registration), pk_of(Technician)
VERSION = pk_of(certification.TitleVersion)


def a_site_scope() -> dict[str, Any]:
    return {"scope": "site", "id": of_a(Site).pk}


PAGES = [
    # Home, accounts, language
    Page("home", opener="client_a"),
    Page("search", opener="client_a", query=lambda: {"q": "Lumière"}, search=True),
    Page("login"),
    Page("login-code"),
    Page("logout"),
    Page("account-two-factor"),  # about the user only, no client data
    Page("set_language"),
    # Sites and equipment
    Page("site-list", opener="client_a"),
    Page("site-add", opener="manager"),
    Page("site-detail", SITE, "client_a"),
    Page("site-edit", SITE, "manager"),
    Page("building-add", SITE, "manager"),
    Page("floor-add", SITE, "manager"),
    Page("space-add", SITE, "manager"),
    Page("productionline-add", SITE, "manager"),
    Page("equipment-list", opener="client_a"),
    Page("equipment-add", opener="manager"),
    Page("equipment-detail", EQUIPMENT, "client_a"),
    Page("equipment-edit", EQUIPMENT, "manager"),
    Page("equipment-reading-add", EQUIPMENT),
    Page("document-add", EQUIPMENT),
    Page("document-file", pk_of(Document), "client_a"),
    # Certification: the training centre's records, which no client role may open
    Page("certification-title-list", opener="training_staff"),
    Page("certification-title-detail", pk_of(certification.Title), "training_staff", shared=True),
    Page("certification-ccp-holders", pk_of(certification.ActivityType), "training_staff"),
    # The keeping of the referential: administrators write, the training centre reads, no client opens it
    Page("certification-version-add", pk_of(certification.Title), "administrator"),
    Page("certification-version-detail", VERSION, "training_staff"),
    Page("certification-version-edit", VERSION, "administrator"),
    Page("certification-version-revise", VERSION, "administrator"),
    Page("certification-version-close", VERSION, "administrator"),
    Page("certification-ccp-add", VERSION, "administrator"),
    Page("certification-correspondence-add", VERSION, "administrator"),
    Page("certification-correspondence-remove", pk_of(certification.Correspondence)),
    Page("certification-ccs-add", pk_of(certification.Title), "administrator"),
    Page("certification-ccs-edit", pk_of(certification.Ccs), "administrator"),
    Page("certification-centre-list", opener="training_staff"),
    Page("certification-centre-add", opener="administrator"),
    Page("certification-centre-detail", pk_of(certification.Centre), "training_staff"),
    Page("certification-centre-edit", pk_of(certification.Centre), "administrator"),
    Page("certification-technician", lambda: [Technician.objects.earliest("pk").user_id], "manager"),
    Page("certification-candidate-list", opener="training_staff"),
    Page("certification-candidate-add", opener="training_staff"),
    Page("certification-candidate-detail", CANDIDATE, "training_staff"),
    Page("certification-candidate-edit", CANDIDATE, "training_staff"),
    Page("certification-path-add", CANDIDATE, "training_staff"),
    Page("certification-path-edit", PATH, "training_staff"),
    Page("certification-experience-add", PATH, "training_staff"),
    Page("certification-admissibility", PATH),
    Page("certification-session-list", opener="training_staff"),
    Page("certification-session-add", opener="training_staff"),
    Page("certification-session-detail", SESSION, "training_staff"),
    Page("certification-session-edit", SESSION, "training_staff"),
    Page("certification-jury-add", SESSION, "training_staff"),
    Page("certification-jury-remove", pk_of(certification.JuryMember)),
    Page("certification-register", SESSION, "training_staff"),
    Page("certification-element-add", REGISTRATION, "training_staff"),
    Page("certification-decision", REGISTRATION, "training_staff"),
    Page(
        "certification-livret",
        lambda: [
            of_a(certification.Registration).candidate_id,
            of_a(certification.Registration).session.version.title_id,
        ],
        "training_staff",
    ),
    Page(
        "certification-parchemin", lambda: [certification.Decision.objects.get(title_granted=True).pk], "training_staff"
    ),
    # Devices and parameter sets
    Page("device-list", opener="client_a"),
    Page("device-add", opener="manager"),
    Page("device-detail", pk_of(Device), "client_a"),
    Page("device-edit", pk_of(Device), "manager"),
    Page("point-add", pk_of(Device), "manager"),
    Page("points-export", pk_of(Device), "manager"),
    Page("points-import", pk_of(Device), "manager"),
    Page("point-edit", pk_of(Point), "manager"),
    Page("point-history", pk_of(Point), "client_a"),
    Page("parameterset-list", opener="manager"),
    Page("parameterset-add", opener="manager"),
    Page("parameterset-detail", pk_of(ParameterSet), "client_a"),
    Page("parameterset-edit", pk_of(ParameterSet), "manager"),
    Page("parameterset-apply", pk_of(ParameterSet)),
    Page("application-revert", pk_of(Application)),
    # Spare parts
    Page("part-list", opener="client_a"),
    Page("part-add", opener="manager"),
    Page("part-detail", pk_of(Part), "client_a"),
    Page("part-edit", pk_of(Part), "manager"),
    Page("my-van", opener="technician"),
    Page("stores-import", opener="manager"),
    Page("stores-import-progress", lambda: ["0" * 32], "manager"),
    # Reorder and purchasing: the company's, which no client opens
    Page("purchasing-reorder", opener="manager"),
    Page("purchaserequest-list", opener="manager"),
    Page("purchaserequest-order"),
    Page("purchaserequest-cancel", pk_of(PurchaseRequest)),
    Page("purchaseorder-list", opener="manager"),
    Page("purchaseorder-detail", pk_of(PurchaseOrder), "manager"),
    Page("purchaseorder-cancel", pk_of(PurchaseOrder)),
    Page("purchaseorder-receive", pk_of(PurchaseOrderLine)),
    Page("purchaseorder-pdf", pk_of(PurchaseOrder), "manager"),
    Page("purchaseorder-send", pk_of(PurchaseOrder)),
    Page("supplier-list", opener="manager"),
    Page("supplier-add", opener="manager"),
    Page("supplier-detail", pk_of(Supplier), "manager"),
    Page("supplier-edit", pk_of(Supplier), "manager"),
    Page("supplierpart-add", pk_of(Supplier), "manager"),
    Page("supplierpart-edit", pk_of(SupplierPart), "manager"),
    Page("reorderrule-add", pk_of(Part), "manager"),
    Page("reorderrule-edit", pk_of(ReorderRule), "manager"),
    Page("part-scan", opener="technician"),
    Page("part-label", pk_of(Part), "manager"),
    Page("location-list", opener="client_a"),
    Page("location-add", opener="manager"),
    Page("location-detail", pk_of(Location), "client_a"),
    Page("location-edit", pk_of(Location), "manager"),
    Page("location-labels", pk_of(Location), "manager"),
    Page("movement-list", opener="manager"),
    Page("stock-receive", opener="technician"),
    Page("stock-transfer", opener="technician"),
    Page("stock-adjust", opener="manager"),
    Page("cyclecount-list", opener="manager"),
    Page("cyclecount-add", opener="manager"),
    Page("cyclecount-detail", pk_of(CycleCount), "manager"),
    Page("cyclecount-start", pk_of(CycleCount)),
    Page("cyclecount-complete", pk_of(CycleCount)),
    Page("cyclecount-line", pk_of(CycleCountLine), "technician"),
    Page("part-where-used", pk_of(Part), "client_a"),
    Page("part-documents", pk_of(Part), "client_a"),
    Page("part-document-add", pk_of(Part)),
    Page("part-document-file", pk_of(PartDocument), "client_a"),
    Page("equipment-spare-parts", EQUIPMENT, "client_a"),
    Page("part-fit-add", opener="manager"),
    Page("part-fit-remove", pk_of(PartFit)),
    Page("critical-spares-short", opener="manager"),
    Page("repairable-list", opener="client_a"),
    Page("repairable-add", opener="manager"),
    Page("repairable-detail", pk_of(RepairableUnit), "client_a"),
    Page("repairable-transition", lambda: [of_a(RepairableUnit).pk, "remove"]),
    # Work requests and work orders
    Page("workrequest-list", opener="client_a"),
    Page("workrequest-add", opener="client_a"),
    Page("workrequest-detail", pk_of(WorkRequest), "client_a"),
    Page("workrequest-approve", pk_of(WorkRequest)),
    Page("workrequest-reject", pk_of(WorkRequest)),
    Page("workrequest-photo", pk_of(WorkRequestPhoto), "client_a"),
    Page("workorder-list", opener="client_a"),
    Page("workorder-add", opener="manager"),
    Page("workorder-detail", ORDER, "client_a"),
    Page("workorder-edit", ORDER, "manager"),
    Page("workorder-execute", ORDER),
    Page("workorder-step", pk_of(ChecklistStep)),
    Page("lockout-confirm", pk_of(LockoutStep)),
    Page("lockout-release", pk_of(LockoutStep)),
    Page("on-call-calls", opener="manager"),
    Page("on-call-acknowledge", pk_of(OnCallCall)),
    Page("workorder-check-run", pk_of(CommissioningCheck)),
    Page("workorder-check-edit", pk_of(CommissioningCheck)),
    Page("workorder-check-delete", pk_of(CommissioningCheck)),
    Page("workorder-checks-run-all", ORDER),
    Page("workorder-requirement-delete", pk_of(WorkOrderRequirement)),
    Page("worktype-requirements", opener="manager"),
    Page("worktype-requirement-delete", pk_of(WorkTypeRequirement)),
    *(
        Page(f"workorder-{action}", ORDER)
        for action in (
            *("approve", "plan", "assign", "requirement-add", "start", "hold", "resume", "complete", "close"),
            *("cancel", "step-add", "lockout-add", "check-add", "time", "part", "reserve", "issue", "failure"),
            "downtime-start",
            *("downtime-end", "signoff-technician", "signoff-client"),
        )
    ),
    # Preventive maintenance
    Page("plan-list", opener="client_a"),
    Page("plan-add", opener="manager"),
    Page("plan-detail", pk_of(MaintenancePlan), "client_a"),
    Page("plan-edit", pk_of(MaintenancePlan), "manager"),
    Page("plan-activate", pk_of(MaintenancePlan)),
    Page("plan-suspend", pk_of(MaintenancePlan)),
    Page("plan-archive", pk_of(MaintenancePlan)),
    Page("trigger-add", pk_of(MaintenancePlan), "manager"),
    Page("trigger-detail", pk_of(Trigger), "client_a"),
    Page("trigger-edit", pk_of(Trigger), "manager"),
    Page("gamme-list", opener="manager"),
    Page("gamme-export", opener="manager"),
    Page("gamme-import", opener="manager"),
    Page("trigger-export", opener="manager"),
    Page("trigger-import", opener="manager"),
    Page("gamme-add", opener="manager"),
    Page("gamme-detail", pk_of(Gamme), "manager"),
    Page("gamme-edit", pk_of(Gamme), "manager"),
    Page("gamme-step-requirement-add", pk_of(GammeStep)),
    Page("gamme-step-requirement-delete", pk_of(GammeStepRequirement)),
    Page("training-list", opener="manager"),
    Page("training-add", opener="manager"),
    Page("training-detail", pk_of(TrainingSession), "client_a"),
    Page("training-edit", pk_of(TrainingSession), "manager"),
    Page("preventive-forecast", opener="manager"),
    Page("preventive-generate"),
    # Dispatch planning: the maintenance company's working documents
    Page("planning-plans", opener="manager"),
    Page("dispatchplan-detail", pk_of(DispatchPlan), "manager"),
    Page("dispatchplan-decide", lambda: [of_a(DispatchPlan).pk, "accept"]),
    Page("planning-calendar", opener="manager"),
    Page("planning-my-day", opener="technician"),
    # People and safety
    Page("technician-list", opener="manager"),
    Page("technician-add", opener="manager"),
    Page("technician-detail", TECHNICIAN, "manager"),
    Page("technician-edit", TECHNICIAN, "manager"),
    Page("team-list", opener="manager"),
    Page("team-add", opener="manager"),
    Page("team-detail", pk_of(Team), "manager"),
    Page("team-edit", pk_of(Team), "manager"),
    Page("skill-list", opener="manager"),
    Page("skill-add", opener="manager"),
    Page("habilitation-type-list", opener="manager"),
    Page("habilitation-type-add", opener="manager"),
    Page("habilitation-type-delete", lambda: [HabilitationType.objects.get(is_standard=False).pk]),
    Page("technician-skill-add", TECHNICIAN, "manager"),
    Page("technician-skill-edit", pk_of(TechnicianSkill), "manager"),
    Page("technician-skill-remove", pk_of(TechnicianSkill), "manager"),
    Page("technician-habilitation-add", TECHNICIAN, "manager"),
    Page("technician-habilitation-edit", pk_of(Habilitation), "manager"),
    Page("technician-habilitation-remove", pk_of(Habilitation), "manager"),
    Page("technician-absence-add", TECHNICIAN, "manager"),
    Page("technician-absence-edit", pk_of(Absence), "manager"),
    Page("technician-absence-remove", pk_of(Absence), "manager"),
    Page("prevention-plan-add", SITE, "manager"),
    Page("prevention-plan-edit", pk_of(PreventionPlan), "manager"),
    Page("prevention-plan-delete", pk_of(PreventionPlan)),
    Page("prevention-plan-document", pk_of(PreventionPlan), "client_a"),
    Page("site-risk-add", SITE, "manager"),
    Page("site-risk-edit", pk_of(SiteRisk), "manager"),
    Page("site-risk-delete", pk_of(SiteRisk)),
    Page("on-call-rosters", opener="manager"),
    Page("on-call-roster-edit", pk_of(Team), "manager"),
    # Reliability and reports
    Page("reliability-kpis", opener="client_a"),
    Page("reliability-scope", lambda: ["site", of_a(Site).pk], "client_a"),
    Page("proposal-list", opener="client_a"),
    Page("proposal-add", opener="technician"),
    Page("proposal-detail", pk_of(ImprovementProposal), "client_a"),
    Page("proposal-action", lambda: [of_a(ImprovementProposal).pk, "approve"]),
    Page("commissioning-report", lambda: [of_a(CommissioningCheck).work_order_id], "manager"),
    Page("intervention-report", ORDER, "client_a"),
    Page("intervention-report-send", ORDER, "manager"),
    Page("equipment-state-report", SITE, "client_a"),
    Page("equipment-state-report-send", SITE, "manager"),
    Page("monthly-report", opener="manager", query=a_site_scope),
    Page("monthly-report-send", opener="manager", query=a_site_scope),
]
# Client A's ids under the names forms and filters use, posted to every page.
HOSTILE_FIELDS: dict[str, Callable[[], Any]] = {
    "organisation": lambda: of_a(Site).organisation_id,
    "site": lambda: of_a(Site).pk,
    "equipment": lambda: of_a(Equipment).pk,
    "work_order": lambda: of_a(WorkOrder).pk,
    "work_request": lambda: of_a(WorkRequest).pk,
    "device": lambda: of_a(Device).pk,
    "devices": lambda: of_a(Device).pk,
    "point": lambda: of_a(Point).pk,
    "plan": lambda: of_a(MaintenancePlan).pk,
    "scope": lambda: "site",
    "id": lambda: of_a(Site).pk,
    "part": lambda: of_a(Part).pk,
    "location": lambda: of_a(Location).pk,
    "source": lambda: of_a(Location).pk,
}


def site_routes() -> set[str]:
    """The names of the site's routes: the API's and the admin site's are tested elsewhere."""

    def walk(patterns: list[Any], prefix: str) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and not (prefix + str(pattern.pattern)).startswith(("api/", "admin/")):
                yield pattern.name

    return set(walk(get_resolver().url_patterns, ""))


def test_every_page_is_in_the_table() -> None:
    listed = [page.name for page in PAGES]
    assert len(listed) == len(set(listed)), "a page is listed twice"
    assert site_routes() == set(listed)


@pytest.fixture
def files_and_titles(tenant_world: None) -> None:
    """What the tenancy world lacks for a few pages: a prevention plan's document, a title granted and a
    habilitation type of the company's own (the standard ones cannot be deleted)."""
    of_a(PreventionPlan).document.save("pdp.pdf", ContentFile(b"%PDF-1.4 plan de prevention"))
    version = of_a(certification.Registration).session.version
    DecisionFactory(registration=RegistrationFactory(session__version=version), title_granted=True)
    HabilitationTypeFactory()


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_the_other_client_sees_finds_and_changes_nothing_of_client_a(
    page: Page, files_and_titles: None, client_b: Any, request: pytest.FixtureRequest
) -> None:
    url, query = page.url(), page.query()
    if page.opener:
        opened = client_for(request.getfixturevalue(page.opener)).get(url, query)
        assert opened.status_code == 200, f"{page.opener} cannot open {url}: {opened.status_code}"
        # A page of client A (files and PDFs aside) shows client A's names to client A.
        if page.opener == "client_a" and opened["Content-Type"].startswith("text/html"):
            assert any(mark.encode() in opened.getvalue() for mark in CLIENT_A_MARKS), f"{url} shows client A nothing"
    outsider = client_for(client_b)

    response = outsider.get(url, query)
    if page.shared:
        assert response.status_code in {200, 403}, (url, response.status_code)
    elif (page.args or query) and not page.search:
        expected = {404} if page.opener in {"client_a", "operator_a"} else {403, 404, 405}
        assert response.status_code in expected, (url, response.status_code)
    else:
        assert response.status_code in {200, 302, 403, 405}, (url, response.status_code)
    shown = response.getvalue()  # read once: a file's stream is gone after it
    for mark in CLIENT_A_MARKS:
        assert mark.encode() not in shown, (url, mark)

    before = snapshot()
    posted = outsider.post(f"{url}?{urlencode(query)}", {name: value() for name, value in HOSTILE_FIELDS.items()})
    about_a = (page.args or query) and not page.search
    allowed = {200, 302, 400, 403, 404, 405} if page.shared or not about_a else {403, 404, 405}
    assert posted.status_code in allowed, (url, posted.status_code)
    assert snapshot() == before, url
