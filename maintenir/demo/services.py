"""The demonstration data: an office building and a factory, with six months of history.

Everything is written through the domain services, so the demo obeys the same rules
as real use and the change log names who did each thing. Services stamp transitions
with the current time; the history is then moved into the past in the same transaction.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from maintenir.assets.choices import CounterKind, Criticality, ServiceLot, Technology
from maintenir.assets.models import Building, Counter, Equipment, EquipmentType, Floor, ProductionLine, Site, Space
from maintenir.assets.services import record_counter_reading, save_equipment
from maintenir.certification.choices import PathKind, SessionKind
from maintenir.certification.models import (
    ActivityType,
    Candidate,
    Centre,
    Decision,
    GrantedCcp,
    Path,
    Registration,
    Session,
    TitleVersion,
)
from maintenir.core.choices import Role
from maintenir.core.context import acting_as
from maintenir.core.models import Organisation, User
from maintenir.core.services import create_user, save_restricted
from maintenir.core.workdays import is_working_day
from maintenir.demo.stores import create_stores
from maintenir.demo.stores_preventive import start_preventive_work_with_parts
from maintenir.devices import parameters
from maintenir.devices.choices import DataType, Protocol, RegisterType
from maintenir.devices.models import Device, ParameterSet, Point
from maintenir.devices.mqtt import TOPIC_ROOT as MQTT_TOPIC_ROOT
from maintenir.devices.simulators import AHU_INSTANCE
from maintenir.people.models import Habilitation, HabilitationType, OnCallDuty, Skill, Team, Technician, TechnicianSkill
from maintenir.planning import services as planning
from maintenir.preventive import services as preventive
from maintenir.preventive.choices import Anchor, ConditionOperator, IntervalUnit, TriggerKind
from maintenir.preventive.models import Gamme, MaintenancePlan, TrainingSession, Trigger
from maintenir.preventive.services import generate
from maintenir.preventive.training import save_training_session
from maintenir.reliability import monthly, proposals
from maintenir.reliability.choices import ModificationKind
from maintenir.reliability.models import ProductionRecord
from maintenir.workorders import commissioning
from maintenir.workorders import services as wo
from maintenir.workorders.choices import DowntimeCause, Priority, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import (
    DetectionMethod,
    FailureCause,
    FailureMechanism,
    FailureMode,
    Remedy,
    WorkOrder,
    WorkOrderRequirement,
    WorkRequest,
)

S = WorkOrderStatus
T = Technology

DEMO_PASSWORD = "demo"
OFFICE = "tertiaire-lumiere"
FACTORY = "mecanique-durand"
# code: (name, address, contact e-mail)
ORGANISATIONS = {
    OFFICE: ("Tertiaire Lumière", "27 rue Servient, 69003 Lyon", "services-generaux@tertiaire-lumiere.example"),
    FACTORY: (
        "Mécanique Durand",
        "12 rue de la Talaudière, 42000 Saint-Étienne",
        "maintenance@mecanique-durand.example",
    ),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    first_name: str
    last_name: str
    organisation: str | None = None


DEMO_USERS = (
    DemoUser("admin", Role.ADMINISTRATOR, "Alice", "Roux"),
    DemoUser("manager", Role.MANAGER, "Claire", "Martin"),
    DemoUser("tech", Role.TECHNICIAN, "Julien", "Moreau"),
    DemoUser("ines", Role.TECHNICIAN, "Inès", "Garcia"),
    DemoUser("lea", Role.TECHNICIAN, "Léa", "Bernard"),
    DemoUser("thomas", Role.TECHNICIAN, "Thomas", "Petit"),
    DemoUser("operator", Role.OPERATOR, "Karim", "Benali", FACTORY),
    DemoUser("client-a", Role.CLIENT, "Sophie", "Lambert", OFFICE),
    DemoUser("client-b", Role.CLIENT, "Marc", "Durand", FACTORY),
)


@dataclass(frozen=True)
class TeamMember:
    username: str
    home: tuple[str, str, str]  # home base, latitude, longitude
    skills: dict[str, int]  # skill code → level
    habilitations: tuple[str, ...]
    # CCPs of the industrial maintenance title, by position, granted at a past session.
    ccps: tuple[int, ...] = ()
    trainee: bool = False


SKILLS = (
    ("elec-indus", "Électrotechnique industrielle", Technology.ELECTRICAL, ""),
    ("hydraulique", "Hydraulique", Technology.HYDRAULIC, ""),
    ("pneumatique", "Pneumatique", Technology.PNEUMATIC, ""),
    ("mecanique", "Mécanique", Technology.MECHANICAL, ""),
    ("automatismes", "Automatismes et réseaux de terrain", Technology.AUTOMATION, ""),
    ("cvc-gtb", "CVC et GTB", "", ServiceLot.COMFORT),
    ("energie", "Comptage et photovoltaïque", "", ServiceLot.ENERGY),
)
LYON = ("Lyon 3e", "45.759000", "4.849000")
TEAM = (
    TeamMember(
        "tech",
        LYON,
        {"elec-indus": 3, "hydraulique": 2, "pneumatique": 2, "automatismes": 2, "cvc-gtb": 2, "energie": 2},
        # TELEPARAM: he applies parameter sets to the building's controllers remotely, without an order there.
        ("B2V", "BR", "BC", "BP", "HAUTEUR", "TELEPARAM"),
        (1, 3),
    ),
    TeamMember(
        "ines",
        ("Saint-Étienne", "45.439700", "4.387200"),
        {"hydraulique": 3, "mecanique": 3, "pneumatique": 2},
        ("B1V", "H0V", "CACES R486"),
        (2,),
    ),
    TeamMember(
        "lea",
        ("Villeurbanne", "45.771900", "4.890200"),
        {"cvc-gtb": 3, "automatismes": 3, "energie": 3, "elec-indus": 2},
        ("B2V", "BR", "BC", "BE mesure", "HAUTEUR"),
        (1, 2, 3, 4),
    ),
    TeamMember("thomas", LYON, {"elec-indus": 1, "mecanique": 1}, ("B0", "BS"), trainee=True),
)


@dataclass(frozen=True)
class Step:
    instruction: str
    unit: str = ""
    expected_min: Decimal | None = None
    expected_max: Decimal | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "instruction": self.instruction,
            "unit": self.unit,
            "requires_measurement": bool(self.unit),
            "expected_min": self.expected_min,
            "expected_max": self.expected_max,
        }


@dataclass(frozen=True)
class Part:
    description: str
    quantity: str
    unit_cost: str


@dataclass(frozen=True)
class Failure:
    """A past breakdown, repaired and closed, with its ISO 14224 coding."""

    equipment: str
    days_ago: int
    hour: int
    reported_by: str
    symptom: str
    title: str
    coding: tuple[str, str, str, str, str]  # mode, mechanism, cause, remedy, detection
    findings: str
    downtime_hours: float
    hours: str
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Visit:
    """A past systematic preventive visit following a procedure (gamme)."""

    equipment: str
    days_ago: int
    title: str
    steps: tuple[Step, ...]
    measurements: tuple[str, ...]  # one per step that asks for a measurement, in order
    hours: str
    downtime_hours: float = 0
    parts: tuple[Part, ...] = ()


AHU_SERVICE = (
    Step("Relever la perte de charge du filtre F7 avant remplacement", "Pa", Decimal(50), Decimal(250)),
    Step("Remplacer les filtres à poches F7"),
    Step("Contrôler la tension et l'usure de la courroie du ventilateur"),
    Step("Mesurer l'intensité absorbée par le moteur de soufflage", "A", Decimal(0), Decimal("6.5")),
    Step("Nettoyer le bac à condensats et vérifier l'écoulement"),
)
PRESS_SERVICE = (
    Step("Contrôler le niveau et l'aspect de l'huile hydraulique"),
    Step("Mesurer la pression de service du groupe hydraulique", "bar", Decimal(180), Decimal(210)),
    Step("Mesurer la température d'huile après 30 min de marche", "°C", Decimal(30), Decimal(55)),
    Step("Vérifier l'arrêt d'urgence et les barrières immatérielles"),
)
ALARM_TEST = (
    Step("Déclencher et acquitter chaque détecteur de la zone"),
    Step("Mesurer la tension de la batterie de secours", "V", Decimal("12.6"), Decimal("13.8")),
    Step("Transmettre un test au télésurveilleur et noter l'accusé"),
)
PV_CHECK = (
    Step("Relever la production depuis l'onduleur", "kWh"),
    Step("Contrôler l'isolement des chaînes photovoltaïques", "MΩ", Decimal(1)),
    Step("Vérifier le serrage des connexions AC et l'état des parafoudres"),
)

FAILURES = (
    Failure(
        "PR-01",
        163,
        7,
        "operator",
        "Flaque d'huile sous le groupe hydraulique de la presse.",
        "Fuite d'huile au raccord du groupe hydraulique",
        ("ELP", "1.1", "3.4", "1", "7"),
        "Joint torique du raccord de refoulement durci et fendu ; joint remplacé, 20 L d'huile complétés.",
        3.5,
        "3.0",
        (Part("Joint torique Ø32 NBR", "4", "2.40"), Part("Huile hydraulique HLP 46 (litre)", "20", "4.10")),
    ),
    Failure(
        "L1-CONV-01",
        131,
        14,
        "operator",
        "Le convoyeur vibre fortement et fait un bruit de roulement.",
        "Vibrations anormales du convoyeur",
        ("VIB", "2.4", "3.4", "1", "7"),
        "Roulement du tambour moteur usé (jeu radial) ; les deux roulements ont été remplacés.",
        2.0,
        "2.5",
        (Part("Roulement 6205-2RS", "2", "9.80"),),
    ),
    Failure(
        "CVC-PAC-01",
        104,
        8,
        "client-a",
        "Plus de chauffage au 2e étage ce matin, la pompe à chaleur est en défaut.",
        "Pompe à chaleur en défaut haute pression",
        ("OHE", "5.1", "3.4", "7", "5"),
        "Échangeur extérieur colmaté par les feuilles ; nettoyé, défaut haute pression acquitté, redémarrage.",
        4.0,
        "2.0",
    ),
    Failure(
        "L1-PP-01",
        77,
        6,
        "operator",
        "Le manipulateur ne démarre pas en début de poste.",
        "Manipulateur pick-and-place : refus de démarrage",
        ("FTS", "3.4", "3.4", "4", "6"),
        "Capteur de fin de course du vérin d'axe Z déréglé ; capteur repositionné et cycle de référence refait.",
        1.5,
        "1.5",
    ),
    Failure(
        "PR-01",
        46,
        10,
        "operator",
        "Alarme température d'huile haute, la presse s'est arrêtée.",
        "Surchauffe de l'huile du groupe hydraulique",
        ("OHE", "2.7", "3.4", "2", "5"),
        "Échangeur huile/eau encrassé et filtre retour colmaté ; échangeur détartré, cartouche remplacée.",
        5.0,
        "4.5",
        (Part("Cartouche filtre retour 10 µm", "1", "86.00"),),
    ),
    Failure(
        "SEC-ACC-01",
        31,
        8,
        "client-a",
        "Le lecteur de badge du hall d'entrée ne réagit plus.",
        "Lecteur de badge du hall hors service",
        ("FTF", "4.2", "3.4", "1", "7"),
        "Câble du lecteur sectionné dans la goulotte ; lecteur et câble remplacés, droits d'accès vérifiés.",
        6.0,
        "3.0",
        (Part("Lecteur de badge Mifare DESFire", "1", "145.00"),),
    ),
    Failure(
        "L1-CONV-01",
        12,
        15,
        "operator",
        "La bande du convoyeur frotte contre le châssis côté opérateur.",
        "Bande du convoyeur déportée",
        ("SER", "1.3", "3.4", "4", "7"),
        "Rouleau de renvoi désaligné ; alignement et tension de bande refaits.",
        0.75,
        "1.0",
    ),
)

VISITS = (
    Visit(
        "CVC-CTA-01",
        140,
        "Entretien trimestriel de la CTA",
        AHU_SERVICE,
        ("185", "5.1"),
        "2.5",
        2.0,
        (Part("Filtre à poches F7 592×592", "4", "38.00"),),
    ),
    Visit("PR-01", 118, "Visite préventive presse — 500 h", PRESS_SERVICE, ("196", "47"), "1.5", 1.5),
    Visit("SEC-INT-01", 88, "Essai semestriel de l'alarme intrusion", ALARM_TEST, ("13.2",), "1.0"),
    Visit(
        "CVC-CTA-01",
        50,
        "Entretien trimestriel de la CTA",
        AHU_SERVICE,
        ("212", "5.4"),
        "2.5",
        2.0,
        (Part("Filtre à poches F7 592×592", "4", "38.00"),),
    ),
    Visit("PR-01", 27, "Visite préventive presse — 500 h", PRESS_SERVICE, ("192", "51"), "1.5", 1.5),
)

# Counter readings: (equipment, kind, value six months ago, increase per day).
CONVEYOR_ROUND = (
    Step("Graisser les paliers du tambour moteur et du tambour de renvoi"),
    Step("Contrôler visuellement la tension et le centrage de la bande"),
    Step("Nettoyer les racleurs et évacuer les copeaux"),
)
HEAT_PUMP_SERVICE = (
    Step("Contrôler l'étanchéité du circuit frigorifique (détecteur)"),
    Step("Mesurer la haute pression en fonctionnement", "bar", Decimal(18), Decimal(28)),
    Step("Nettoyer l'échangeur extérieur"),
)


# The simulated Modbus devices: equipment, name, port on 127.0.0.1, simulator, points.
DEVICES = (
    (
        "ENE-CPT-01",
        "Compteur général TGBT",
        15020,
        "energy_meter",
        (
            {
                "name": "active_power",
                "display_name": "Puissance active",
                "address": "0",
                "data_type": "float32",
                "unit": "kW",
                "max_value": 120,
                "brick_class": "Electric_Power_Sensor",
            },
            {
                "name": "energy_index",
                "display_name": "Index d'énergie",
                "address": "2",
                "data_type": "uint32",
                "unit": "kWh",
                "brick_class": "Energy_Sensor",
            },
            {
                "name": "voltage",
                "display_name": "Tension",
                "address": "4",
                "data_type": "int16",
                "scale": 0.1,
                "unit": "V",
                "min_value": 207,
                "max_value": 253,
                "brick_class": "Voltage_Sensor",
            },
        ),
    ),
    (
        "ENE-PV-01",
        "Onduleur photovoltaïque",
        15021,
        "pv_inverter",
        (
            {
                "name": "ac_power",
                "display_name": "Puissance AC",
                "address": "0",
                "data_type": "float32",
                "unit": "kW",
                "min_value": 0,
                "max_value": 30,
                "brick_class": "Electric_Power_Sensor",
            },
            {
                "name": "energy_produced",
                "display_name": "Énergie produite",
                "address": "2",
                "data_type": "uint32",
                "unit": "kWh",
                "brick_class": "Energy_Sensor",
            },
        ),
    ),
)


# The air-handling unit's BACnet/IP controller, simulated on 127.0.0.1:AHU_PORT.
AHU_PORT = 47809
AHU_POINTS: tuple[dict[str, Any], ...] = (
    {
        "name": "supply_air_temperature",
        "display_name": "Température de soufflage",
        "address": "analog-input,1",
        "unit": "°C",
        "min_value": 12,
        "max_value": 28,
        "subscribed": True,
        "brick_class": "Supply_Air_Temperature_Sensor",
    },
    {
        "name": "return_air_temperature",
        "display_name": "Température de reprise",
        "address": "analog-input,2",
        "unit": "°C",
        "brick_class": "Return_Air_Temperature_Sensor",
    },
    {
        "name": "outdoor_air_temperature",
        "display_name": "Température extérieure",
        "address": "analog-input,3",
        "unit": "°C",
        "brick_class": "Outside_Air_Temperature_Sensor",
    },
    {
        "name": "filter_pressure_drop",
        "display_name": "Perte de charge du filtre",
        "address": "analog-input,4",
        "unit": "Pa",
        "max_value": 250,
        "subscribed": True,
        "brick_class": "Filter_Differential_Pressure_Sensor",
    },
    {
        "name": "supply_air_setpoint",
        "display_name": "Consigne de soufflage",
        "address": "analog-value,1",
        "unit": "°C",
        "min_value": 14,
        "max_value": 26,
        "writable": True,
        "brick_class": "Supply_Air_Temperature_Setpoint",
    },
    {
        "name": "supply_fan_command",
        "display_name": "Commande du ventilateur de soufflage",
        "address": "binary-output,1",
        "writable": True,
        "brick_class": "Start_Stop_Command",
    },
)

# A parameter set a newcomer can apply to the air-handling unit's controller from its page.
AHU_PARAMETER_SET = "CTA — réduit d'inoccupation"


@dataclass(frozen=True)
class Procedure:
    """A gamme of the demo and the steps' NF X 60-000 level and duration."""

    code: str
    name: str
    steps: tuple[Step, ...]
    technology: Technology
    level: int = 2
    minutes_per_step: int = 20


PROCEDURES = (
    Procedure("cta-trimestriel", "Entretien trimestriel de la CTA", AHU_SERVICE, T.MECHANICAL),
    Procedure("presse-500h", "Visite préventive presse — 500 h", PRESS_SERVICE, T.HYDRAULIC, minutes_per_step=25),
    Procedure(
        "alarme-semestriel", "Essai semestriel de l'alarme intrusion", ALARM_TEST, T.ELECTRICAL, minutes_per_step=15
    ),
    Procedure(
        "pac-annuel", "Entretien annuel de la pompe à chaleur", HEAT_PUMP_SERVICE, T.MECHANICAL, 3, minutes_per_step=30
    ),
    Procedure(
        "convoyeur-hebdo", "Graissage et contrôle hebdomadaire du convoyeur", CONVEYOR_ROUND, T.MECHANICAL, 1, 10
    ),
    Procedure(
        "presse-vibration",
        "Diagnostic vibratoire du groupe hydraulique",
        (
            Step("Mesurer la vibration au palier côté moteur", "mm/s", Decimal(0), Decimal("4.5")),
            Step("Contrôler l'alignement moteur-pompe et l'accouplement"),
            Step("Graisser ou remplacer les roulements si nécessaire"),
        ),
        T.MECHANICAL,
        3,
        minutes_per_step=30,
    ),
)

COUNTERS = (
    ("PR-01", CounterKind.RUNNING_HOURS, 12_480, 14),
    ("PR-01", CounterKind.CYCLES, 1_905_000, 2_600),
    ("L1-CONV-01", CounterKind.RUNNING_HOURS, 21_300, 15),
    ("L1-PP-01", CounterKind.CYCLES, 4_210_000, 5_800),
    ("CVC-CTA-01", CounterKind.RUNNING_HOURS, 30_150, 12),
    ("CVC-PAC-01", CounterKind.RUNNING_HOURS, 9_870, 9),
)


# Commissioning of the inverter's power-limit control: checks that pass against its simulator
# (devices/simulators.PV_INVERTER), so a newcomer can run them from the order's page.
PV_POWER_LIMIT = {
    "name": "power_limit",
    "display_name": "Limitation de puissance",
    "description": "Limitation de la puissance active (pilotage de l'injection)",
    "address": "4",
    "register_type": RegisterType.HOLDING,
    "data_type": DataType.UINT16,
    "unit": "%",
    "min_value": 0,
    "max_value": 100,
    "writable": True,
}
PV_COMMISSIONING_CHECKS: tuple[dict[str, Any], ...] = (
    {
        "name": "Consigne de limitation à 100 % écrite et relue",
        "command_point": "power_limit",
        "command_value": 100,
        "point": "power_limit",
        "expected_value": 100,
    },
    {
        "name": "Puissance AC dans la plage de l'onduleur (0 à 25 kW)",
        "point": "ac_power",
        "expected_min": 0,
        "expected_max": 25,
    },
    {
        "name": "Index d'énergie produite relevé (au moins 86 000 kWh)",
        "point": "energy_produced",
        "expected_min": 86000,
    },
)


def _at(days_ago: int, hour: int) -> datetime.datetime:
    """A local time `days_ago` days before today, on the hour."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _year(offset: int, month: int = 3, day: int = 15) -> datetime.date:
    """A date `offset` years from this year (negative: in the past)."""
    return datetime.date(timezone.localdate().year + offset, month, day)


_ORDER_TIME_FIELDS = {S.IN_PROGRESS: "started_at", S.DONE: "completed_at", S.CLOSED: "closed_at"}


def _backdate(
    order: WorkOrder, times: dict[WorkOrderStatus, datetime.datetime], reported_at: datetime.datetime | None = None
) -> None:
    """Move an order's history into the past: transitions, timestamps, steps, sign-offs, request."""
    for status, time in times.items():
        order.transitions.filter(to_status=status).update(time=time)
    opened = min(times.values())
    fields = {name: times[status] for status, name in _ORDER_TIME_FIELDS.items() if status in times}
    WorkOrder.objects.filter(pk=order.pk).update(created=opened, **fields)
    if order.equipment_id is not None:
        monthly.refresh([order.equipment_id])  # the update went round save()
    finished = times.get(S.DONE) or times.get(S.IN_PROGRESS)
    if finished is not None:
        order.steps.filter(is_done=True).update(done_at=finished)
        order.sign_offs.update(signed_at=finished)
        order.lockout_steps.filter(released_at__isnull=False).update(released_at=finished)
    started = times.get(S.IN_PROGRESS)
    if started is not None:
        order.lockout_steps.filter(confirmed_at__isnull=False).update(confirmed_at=started)
    WorkRequest.objects.filter(work_order=order).update(created=reported_at or opened, decided_at=opened)


@dataclass
class _Demo:
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    equipment: dict[str, Equipment] = field(default_factory=dict)
    profiles: dict[str, Technician] = field(default_factory=dict)
    vibration: Point | None = None
    filter_pressure: Point | None = None

    @property
    def manager(self) -> User:
        return self.users["manager"]

    @property
    def tech(self) -> User:
        return self.users["tech"]

    @property
    def operator(self) -> User:
        return self.users["operator"]

    def build(self) -> None:
        self.create_people()
        self.create_team()
        with acting_as(self.manager):
            self.create_office()
            self.create_factory()
            create_stores(self.manager, self.users)
        self.record_counters()
        for failure in FAILURES:
            self.repair(failure)
        for visit in VISITS:
            self.carry_out_visit(visit)
        # Before the work in hand: the press is down this morning, and was not two weeks ago.
        self.propose_improvements()
        self.create_open_work()
        self.create_devices()
        self.create_commissioning()
        self.create_maintenance_plans()
        start_preventive_work_with_parts(self.manager, self.tech)
        with acting_as(self.manager):
            generate()
        self.plan_next_week()
        self.record_production()
        self.train_operator()

    def plan_next_week(self) -> None:
        """Next week's approved work with what each order requires, and the dispatch plan proposed for it."""
        skills = {skill.code: skill for skill in Skill.objects.all()}
        version = TitleVersion.objects.get(title__name__startswith="Technicien(ne) de maintenance industrielle")
        ccps = {ccp.position: ccp for ccp in version.ccps.all()}
        with acting_as(self.manager):
            air_leak = WorkOrder.objects.get(title="Fuite d'air sur la pince du manipulateur")
            WorkOrderRequirement.objects.create(work_order=air_leak, skill=skills["pneumatique"], min_level=2)
            for spec in NEXT_WEEK:
                equipment = self.equipment[spec.code]
                order = WorkOrder(
                    site=equipment.site,
                    equipment=equipment,
                    title=spec.title,
                    priority=spec.priority,
                    estimated_hours=Decimal(spec.hours),
                    due_date=timezone.localdate() + datetime.timedelta(days=spec.due_in_days),
                )
                wo.create_work_order(self.manager, order)
                for kind, target, *level in spec.requirements:
                    requirement = WorkOrderRequirement(work_order=order)
                    if kind == "skill":
                        requirement.skill, requirement.min_level = skills[target], level[0]
                    elif kind == "habilitation":
                        requirement.habilitation_type = HabilitationType.objects.get(code=target)
                    else:
                        requirement.ccp = ccps[target]
                    requirement.save()
            today = timezone.localdate()
            planning.propose_plan(
                self.manager, today + datetime.timedelta(days=7 - today.weekday()), 5, time_limit_seconds=5
            )

    # --- Reliability and improvement -----------------------------------------------------

    def record_production(self) -> None:
        """The press's production over the last eight weeks, two shifts a working day, so the line has an OEE."""
        press = self.equipment["PR-01"]
        stopped = {
            _at(failure.days_ago, failure.hour).date(): Decimal(str(failure.downtime_hours))
            for failure in FAILURES
            if failure.equipment == press.code
        }
        today = timezone.localdate()
        with acting_as(self.operator):
            for days_ago in range(PRODUCTION_DAYS, 0, -1):
                day = today - datetime.timedelta(days=days_ago)
                if not is_working_day(day):
                    continue
                # Changeovers and micro-stops take 40 to 80 minutes a day, on top of any failure.
                lost = Decimal(40 + days_ago * 7 % 41) / 60 + stopped.get(day, Decimal(0))
                run = round(max(PRESS_SHIFT_HOURS - lost, Decimal(0)), 2)
                output = int(run * PRESS_RATE * Decimal("0.92"))
                record = ProductionRecord(
                    equipment=press,
                    date=day,
                    planned_hours=PRESS_SHIFT_HOURS,
                    run_hours=run,
                    nominal_rate=PRESS_RATE,
                    output=output,
                    rejects=output * (8 + days_ago % 9) // 1000,
                )
                save_restricted(self.operator, record)

    def train_operator(self) -> None:
        """The technician trained the line's operator on the conveyor's weekly round (level 1)."""
        session = TrainingSession(
            site=self.equipment["L1-CONV-01"].site,
            topic="Graissage et contrôle hebdomadaire du convoyeur",
            date=timezone.localdate() - datetime.timedelta(days=20),
            trainer=self.tech,
            notes="Points de graissage, contrôle de tension de bande et consignation de premier niveau.",
        )
        with acting_as(self.tech):
            save_training_session(self.tech, session, Gamme.objects.filter(code="convoyeur-hebdo"), [self.operator])

    def propose_improvements(self) -> None:
        """One improvement carried out on the press two weeks ago, its effect being measured; one on the
        conveyor awaiting the manager's decision."""
        press = self.equipment["PR-01"]
        with acting_as(self.tech):
            cooler = proposals.propose(
                self.tech,
                press,
                title="Échangeur huile/eau surdimensionné et filtre retour à indicateur de colmatage",
                kind=ModificationKind.TECHNICAL,
                failure_mode=FailureMode.objects.get(code="OHE"),
                modification=(
                    "Remplacer l'échangeur à faisceau par un échangeur à plaques de 15 kW et monter un filtre "
                    "retour avec indicateur de colmatage visuel, relevé à la ronde hebdomadaire."
                ),
                cost=Decimal("2850.00"),
                expected_gain=Decimal("6200.00"),
                measure_after_days=90,
            )
        with acting_as(self.manager):
            proposals.approve(self.manager, cooler, "Accordé : deux arrêts de la presse en six mois.")
            proposals.carry_out(self.manager, cooler)
            order = WorkOrder.objects.get(improvement_proposal=cooler)
            began = _at(14, 7)
            wo.plan_work_order(self.manager, order, [self.tech], planned_start=began)
        with acting_as(self.tech):
            self.start(order)
        done = self.finish(
            order,
            press,
            began,
            "6.0",
            (DowntimeCause.PREVENTIVE, began, began + datetime.timedelta(hours=6)),
            (Part("Échangeur à plaques 15 kW", "1", "1940.00"), Part("Filtre retour à indicateur", "1", "310.00")),
        )
        _backdate(
            order,
            {S.APPROVED: began, S.PLANNED: began, S.IN_PROGRESS: began, S.DONE: done, S.CLOSED: _at(13, 9)},
        )
        with acting_as(self.tech):
            proposals.propose(
                self.tech,
                self.equipment["L1-CONV-01"],
                title="Rouleaux auto-centreurs et détecteur de déport de bande",
                kind=ModificationKind.TECHNICAL,
                failure_mode=FailureMode.objects.get(code="SER"),
                modification=(
                    "Monter deux rouleaux auto-centreurs en retour de bande et un détecteur de déport câblé "
                    "sur l'automate, qui arrête le convoyeur avant que la bande ne frotte le châssis."
                ),
                cost=Decimal("980.00"),
                expected_gain=Decimal("1500.00"),
            )

    # --- People and places ---------------------------------------------------------------

    def create_people(self) -> None:
        admin_spec = DEMO_USERS[0]
        admin = create_user(
            admin_spec.username,
            DEMO_PASSWORD,
            admin_spec.role,
            first_name=admin_spec.first_name,
            last_name=admin_spec.last_name,
            is_staff=True,
            is_superuser=True,
        )
        with acting_as(admin):
            for code, (name, address, email) in ORGANISATIONS.items():
                organisation = Organisation(code=code, name=name, address=address, contact_email=email)
                save_restricted(admin, organisation)
                self.organisations[code] = organisation
        self.users[admin.username] = admin
        for spec in DEMO_USERS[1:]:
            self.users[spec.username] = create_user(
                spec.username,
                DEMO_PASSWORD,
                spec.role,
                self.organisations[spec.organisation] if spec.organisation else None,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@maintenir.example",
            )

    def create_team(self) -> None:
        """The Lyon team: skills, habilitations (the technician is chargé de consignation, BC), homes, a trainee
        under his referent, and the CCPs two of them hold."""
        with acting_as(self.manager):
            team = self.save(
                Team(name="Équipe Rhône-Loire", description="Bâtiment et industrie, Lyon et Saint-Étienne")
            )
            skills = {
                code: self.save(Skill(code=code, name=name, technology=technology, service_lot=lot))
                for code, name, technology, lot in SKILLS
            }
            for member in TEAM:
                label, latitude, longitude = member.home
                profile = self.save(
                    Technician(
                        user=self.users[member.username],
                        team=team,
                        is_trainee=member.trainee,
                        technical_referent=self.profiles.get("tech") if member.trainee else None,
                        home_base=label,
                        home_latitude=Decimal(latitude),
                        home_longitude=Decimal(longitude),
                        phone="06 12 34 56 78",
                    )
                )
                self.profiles[member.username] = profile
                for code, level in member.skills.items():
                    self.save(TechnicianSkill(technician=profile, skill=skills[code], level=level))
                for code in member.habilitations:
                    self.save(
                        Habilitation(
                            technician=profile,
                            habilitation_type=HabilitationType.objects.get(code=code),
                            granted_on=_year(-2),
                            expires_on=_year(1),
                            granted_by="Direction technique",
                        )
                    )
            # Inès's B1V runs out next week: the plan leaves her electrical work to the others from then on.
            Habilitation.objects.filter(technician=self.profiles["ines"], habilitation_type__code="B1V").update(
                expires_on=timezone.localdate() + datetime.timedelta(days=9)
            )
            monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
            for week in (monday, monday + datetime.timedelta(days=7)):
                first, second = ("tech", "lea") if week == monday else ("lea", "tech")
                for rank, username in enumerate((first, second), start=1):
                    self.save(OnCallDuty(team=team, week_start=week, technician=self.profiles[username], rank=rank))
        self.grant_ccps()

    def grant_ccps(self) -> None:
        """The CCPs of the industrial maintenance title the team holds, decided at a past session."""
        version = TitleVersion.objects.get(title__name__startswith="Technicien(ne) de maintenance industrielle")
        ccps = {ccp.position: ccp for ccp in version.ccps.all()}
        with acting_as(self.users["admin"]):
            self.record_decisions(version, ccps)

    def record_decisions(self, version: TitleVersion, ccps: dict[int, ActivityType]) -> None:
        centre = Centre.objects.create(name="AFPA Lyon Vénissieux", approval_number="AGR-69-0042", city="Vénissieux")
        for member in TEAM:
            if not member.ccps:
                continue
            user = self.users[member.username]
            candidate = Candidate.objects.create(first_name=user.first_name, last_name=user.last_name, user=user)
            path = Path.objects.create(
                candidate=candidate, kind=PathKind.CONTINUOUS, version=version, started_on=_year(-3, 9, 1)
            )
            session = Session.objects.create(
                kind=SessionKind.TITLE, version=version, centre=centre, date=_year(-2, 6, 20)
            )
            registration = Registration.objects.create(session=session, candidate=candidate, path=path)
            decision = Decision.objects.create(
                registration=registration,
                title_granted=len(member.ccps) == len(ccps),
                decided_on=session.date,
                recorded_by=self.users["admin"],
            )
            for position in member.ccps:
                GrantedCcp.objects.create(decision=decision, ccp=ccps[position])

    def start(self, order: WorkOrder) -> None:
        """The technician confirms the order's lockout, then starts the work."""
        for step in order.lockout_steps.all():
            wo.confirm_lockout_step(self.tech, step)
        wo.start_work_order(self.tech, order)

    def save(self, instance: Any) -> Any:
        return save_restricted(self.manager, instance)

    def equipment_type(self, name: str) -> EquipmentType:
        """The shared catalogue entry, reused when the catalogue already has it."""
        return EquipmentType.objects.filter(name=name).first() or self.save(EquipmentType(name=name))

    def add_equipment(
        self, site: Site, code: str, name: str, type_name: str, technologies: Iterable[str], **fields: Any
    ) -> Equipment:
        item = Equipment(site=site, code=code, name=name, equipment_type=self.equipment_type(type_name), **fields)
        self.equipment[code] = save_equipment(self.manager, item, technologies)
        return item

    def create_office(self) -> None:
        site = self.save(
            Site(
                organisation=self.organisations[OFFICE],
                code="lumiere-part-dieu",
                name="Immeuble Lumière Part-Dieu",
                address="27 rue Servient",
                postcode="69003",
                city="Lyon",
                latitude=Decimal("45.760720"),
                longitude=Decimal("4.853310"),
                description="Immeuble de bureaux R+2 avec toiture technique, GTB KNX et BACnet.",
            )
        )
        building = self.save(Building(site=site, name="Bâtiment A"))
        floors = {
            level: self.save(Floor(building=building, name=name, level=level))
            for level, name in (
                (-1, "Sous-sol"),
                (0, "Rez-de-chaussée"),
                (1, "1er étage"),
                (2, "2e étage"),
                (3, "Toiture"),
            )
        }
        spaces = {
            name: self.save(Space(floor=floors[level], name=name, usage=usage))
            for level, name, usage in (
                (-1, "Local TGBT", "Local électrique"),
                (0, "Hall d'entrée", "Accueil"),
                (0, "Local sécurité", "Local technique"),
                (1, "Plateau ouvert", "Bureaux"),
                (2, "Salle Rhône", "Salle de réunion"),
                (3, "Toiture technique", "Local technique"),
            )
        }

        def place(space: str) -> dict[str, Any]:
            return {"building": building, "floor": spaces[space].floor, "space": spaces[space]}

        energy = {"service_lot": ServiceLot.ENERGY}
        comfort = {"service_lot": ServiceLot.COMFORT}
        security = {"service_lot": ServiceLot.SECURITY}
        meter = self.add_equipment(
            site,
            "ENE-CPT-01",
            "Compteur général électricité",
            "Compteur d'énergie",
            [T.ELECTRICAL, T.AUTOMATION],
            manufacturer="Schneider Electric",
            model="PowerLogic PM5560",
            serial_number="PM5560-2231-0457",
            installation_date=_year(-6),
            warranty_end=_year(-4),
            criticality=Criticality.HIGH,
            **energy,
            **place("Local TGBT"),
        )
        for code, name, serial in (
            ("ENE-CPT-02", "Sous-compteur CVC", "IEM3255-8821"),
            ("ENE-CPT-03", "Sous-compteur éclairage", "IEM3255-8822"),
        ):
            self.add_equipment(
                site,
                code,
                name,
                "Compteur d'énergie",
                [T.ELECTRICAL],
                parent=meter,
                manufacturer="Schneider Electric",
                model="Acti9 iEM3255",
                serial_number=serial,
                installation_date=_year(-6),
                warranty_end=_year(-4),
                criticality=Criticality.LOW,
                **energy,
                **place("Local TGBT"),
            )
        self.add_equipment(
            site,
            "ENE-PV-01",
            "Onduleur photovoltaïque",
            "Onduleur photovoltaïque",
            [T.ELECTRICAL, T.AUTOMATION],
            manufacturer="SMA",
            model="Sunny Tripower 25000TL",
            serial_number="STP25-3007741129",
            installation_date=_year(-2, 6, 1),
            warranty_end=_year(8, 6, 1),
            criticality=Criticality.MEDIUM,
            **energy,
            **place("Toiture technique"),
        )
        ahu = self.add_equipment(
            site,
            "CVC-CTA-01",
            "Centrale de traitement d'air",
            "Centrale de traitement d'air",
            [T.MECHANICAL, T.ELECTRICAL, T.AUTOMATION],
            manufacturer="CIAT",
            model="Floway Vision 40",
            serial_number="FV40-19-06613",
            installation_date=_year(-6),
            warranty_end=_year(-4),
            criticality=Criticality.HIGH,
            **comfort,
            **place("Toiture technique"),
        )
        for code, name, type_name, technologies in (
            ("CVC-CTA-01-VEN", "Ventilateur de soufflage", "Ventilateur", [T.MECHANICAL, T.ELECTRICAL]),
            ("CVC-CTA-01-FIL", "Caisson de filtration F7", "Filtre", [T.MECHANICAL]),
            ("CVC-CTA-01-BAT", "Batterie chaude / froide", "Batterie d'échange", [T.HYDRAULIC]),
        ):
            self.add_equipment(
                site,
                code,
                name,
                type_name,
                technologies,
                parent=ahu,
                manufacturer="CIAT",
                installation_date=_year(-6),
                criticality=Criticality.MEDIUM,
                **comfort,
                **place("Toiture technique"),
            )
        self.add_equipment(
            site,
            "CVC-PAC-01",
            "Pompe à chaleur air/eau",
            "Pompe à chaleur",
            [T.ELECTRICAL, T.MECHANICAL, T.HYDRAULIC, T.AUTOMATION],
            manufacturer="Daikin",
            model="EWYT-B 085",
            serial_number="EWYT085-J0193",
            installation_date=_year(-3, 10, 2),
            warranty_end=_year(2, 10, 2),
            criticality=Criticality.HIGH,
            **comfort,
            **place("Toiture technique"),
        )
        for code, name, type_name, manufacturer, model, space in (
            (
                "CVC-ECL-01",
                "Contrôleur d'éclairage KNX",
                "Contrôleur d'éclairage",
                "ABB",
                "SA/S 8.16.6.2",
                "Plateau ouvert",
            ),
            ("CVC-STO-01", "Contrôleur de stores", "Contrôleur de stores", "Somfy", "animeo KNX 4 DC", "Salle Rhône"),
        ):
            self.add_equipment(
                site,
                code,
                name,
                type_name,
                [T.ELECTRICAL, T.AUTOMATION],
                manufacturer=manufacturer,
                model=model,
                installation_date=_year(-6),
                warranty_end=_year(-4),
                criticality=Criticality.LOW,
                **comfort,
                **place(space),
            )
        self.add_equipment(
            site,
            "SEC-ACC-01",
            "Contrôle d'accès",
            "Contrôle d'accès",
            [T.ELECTRICAL, T.AUTOMATION],
            manufacturer="TIL Technologies",
            model="MICRO-SESAME",
            serial_number="MS-4471-22",
            installation_date=_year(-4),
            warranty_end=_year(-1),
            criticality=Criticality.HIGH,
            **security,
            **place("Local sécurité"),
        )
        self.add_equipment(
            site,
            "SEC-INT-01",
            "Centrale d'alarme intrusion",
            "Alarme intrusion",
            [T.ELECTRICAL],
            manufacturer="Honeywell",
            model="Galaxy Flex 100",
            serial_number="GFX100-77820",
            installation_date=_year(-4),
            warranty_end=_year(-2),
            criticality=Criticality.HIGH,
            **security,
            **place("Local sécurité"),
        )

    def create_factory(self) -> None:
        site = self.save(
            Site(
                organisation=self.organisations[FACTORY],
                code="usine-saint-etienne",
                name="Usine de Saint-Étienne",
                address="12 rue de la Talaudière",
                postcode="42000",
                city="Saint-Étienne",
                latitude=Decimal("45.451920"),
                longitude=Decimal("4.404610"),
                description="Usinage et assemblage de sous-ensembles mécaniques, deux équipes.",
            )
        )
        building = self.save(Building(site=site, name="Atelier de production"))
        line = self.save(
            ProductionLine(
                site=site,
                code="ligne-1",
                name="Ligne d'assemblage 1",
                description="Emboutissage et assemblage des carters : convoyeur, presse, manipulateur, automate.",
            )
        )
        on_line = {"building": building, "production_line": line}
        self.add_equipment(
            site,
            "L1-CONV-01",
            "Convoyeur à bande d'alimentation",
            "Convoyeur",
            [T.MECHANICAL, T.ELECTRICAL],
            manufacturer="Interroll",
            model="Modular Conveyor Platform",
            serial_number="MCP-18-40512",
            installation_date=_year(-7),
            warranty_end=_year(-5),
            criticality=Criticality.HIGH,
            **on_line,
        )
        press = self.add_equipment(
            site,
            "PR-01",
            "Presse hydraulique 250 t",
            "Presse hydraulique",
            [T.HYDRAULIC, T.ELECTRICAL, T.AUTOMATION],
            manufacturer="Schuler",
            model="HPX 250",
            serial_number="SCH-HPX250-0917",
            installation_date=_year(-8, 9, 1),
            warranty_end=_year(-6, 9, 1),
            criticality=Criticality.CRITICAL,
            description="Presse d'emboutissage des carters, 250 t, course 600 mm.",
            **on_line,
        )
        for code, name, type_name, technologies in (
            ("PR-01-GH", "Groupe hydraulique", "Groupe hydraulique", [T.HYDRAULIC, T.MECHANICAL, T.ELECTRICAL]),
            ("PR-01-VER", "Vérin principal", "Vérin hydraulique", [T.HYDRAULIC, T.MECHANICAL]),
        ):
            self.add_equipment(
                site,
                code,
                name,
                type_name,
                technologies,
                parent=press,
                manufacturer="Schuler",
                installation_date=press.installation_date,
                criticality=Criticality.CRITICAL,
                **on_line,
            )
        self.add_equipment(
            site,
            "L1-PP-01",
            "Manipulateur pneumatique pick-and-place",
            "Manipulateur",
            [T.PNEUMATIC, T.AUTOMATION],
            manufacturer="Festo",
            model="YXMx H-Gantry",
            serial_number="FESTO-YXM-22-1180",
            installation_date=_year(-3),
            warranty_end=_year(-1),
            criticality=Criticality.HIGH,
            **on_line,
        )
        self.add_equipment(
            site,
            "L1-API-01",
            "Automate de ligne",
            "Automate programmable",
            [T.AUTOMATION, T.ELECTRICAL],
            manufacturer="Siemens",
            model="SIMATIC S7-1500 CPU 1515-2 PN",
            serial_number="S C-J7PT1234",
            installation_date=_year(-3),
            warranty_end=_year(-1),
            criticality=Criticality.CRITICAL,
            **on_line,
        )

    def record_counters(self) -> None:
        """Monthly readings over the past six months, by the operator or the technician."""
        for code, kind, start, per_day in COUNTERS:
            equipment = self.equipment[code]
            reader = self.users["operator"] if equipment.site.organisation.code == FACTORY else self.tech
            with acting_as(self.manager):
                counter = self.save(Counter(equipment=equipment, kind=kind))
            with acting_as(reader):
                for days_ago in range(181, 0, -30):
                    record_counter_reading(reader, counter, start + per_day * (181 - days_ago), _at(days_ago, 8))

    # --- History -------------------------------------------------------------------------

    def client_signer(self, order: WorkOrder) -> User:
        """On the shop floor the operator accepts the work; in the office, the client user."""
        return self.users["operator" if order.site.organisation.code == FACTORY else "client-a"]

    def finish(
        self,
        order: WorkOrder,
        equipment: Equipment,
        began: datetime.datetime,
        hours: str,
        downtime: tuple[str, datetime.datetime, datetime.datetime] | None,
        parts: Sequence[Part],
    ) -> datetime.datetime:
        """Downtime, time, parts, sign-offs, completion and closure of an order in progress; returns when work ended."""
        tech = self.tech
        with acting_as(tech):
            if downtime is not None:
                cause, down_from, down_to = downtime
                interval = wo.start_downtime(tech, equipment, cause, down_from, order)
                wo.end_downtime(tech, interval, down_to)
            wo.log_time(tech, order, Decimal(hours), date=began.date())
            for part in parts:
                wo.add_part(tech, order, part.description, Decimal(part.quantity), Decimal(part.unit_cost))
            wo.sign_off(tech, order, SignOffRole.TECHNICIAN, tech.get_full_name())
            for step in order.lockout_steps.all():
                wo.release_lockout_step(tech, step)
            wo.complete_work_order(tech, order)
        signer = self.client_signer(order)
        with acting_as(signer):
            wo.sign_off(signer, order, SignOffRole.CLIENT, signer.get_full_name())
        with acting_as(self.manager):
            wo.close_work_order(self.manager, order)
        worked_until = began + datetime.timedelta(hours=float(hours))
        return max(worked_until, downtime[2]) if downtime else worked_until

    def report(self, username: str, code: str, symptom: str, urgency: int = Priority.NORMAL) -> WorkRequest:
        reporter = self.users[username]
        equipment = self.equipment[code]
        with acting_as(reporter):
            return wo.submit_work_request(reporter, equipment.site, symptom, equipment, urgency=urgency)

    def approve(self, request: WorkRequest, title: str, assignees: Iterable[User] = (), **fields: Any) -> WorkOrder:
        with acting_as(self.manager):
            return wo.approve_work_request(self.manager, request, title=title, assignees=assignees, **fields)

    def repair(self, failure: Failure) -> None:
        failed_at = _at(failure.days_ago, failure.hour)
        request = self.report(failure.reported_by, failure.equipment, failure.symptom, Priority.HIGH)
        order = self.approve(request, failure.title, [self.tech])
        mode, mechanism, cause, remedy, detection = failure.coding
        with acting_as(self.tech):
            self.start(order)
            wo.code_failure(
                self.tech,
                order,
                FailureMode.objects.get(code=mode),
                FailureMechanism.objects.get(code=mechanism),
                FailureCause.objects.get(code=cause),
                Remedy.objects.get(code=remedy),
                DetectionMethod.objects.get(code=detection),
                findings=failure.findings,
            )
        restored_at = failed_at + datetime.timedelta(hours=failure.downtime_hours)
        approved = failed_at + datetime.timedelta(minutes=20)
        started = failed_at + datetime.timedelta(minutes=45)
        done = self.finish(
            order,
            self.equipment[failure.equipment],
            started,
            failure.hours,
            (DowntimeCause.FAILURE, failed_at, restored_at),
            failure.parts,
        )
        closed = _at(failure.days_ago - 1, 9)
        _backdate(
            order,
            {S.APPROVED: approved, S.PLANNED: approved, S.IN_PROGRESS: started, S.DONE: done, S.CLOSED: closed},
            reported_at=failed_at + datetime.timedelta(minutes=5),
        )

    def preventive_order(self, code: str, title: str, steps: Sequence[Step], hours: str, **fields: Any) -> WorkOrder:
        equipment = self.equipment[code]
        order = WorkOrder(
            site=equipment.site,
            equipment=equipment,
            work_type=WorkOrderType.PREVENTIVE_SYSTEMATIC,
            title=title,
            estimated_hours=Decimal(hours),
            **fields,
        )
        with acting_as(self.manager):
            return wo.create_work_order(self.manager, order, [step.fields() for step in steps])

    def record_steps(self, order: WorkOrder, measurements: Sequence[str]) -> None:
        values = iter(measurements)
        with acting_as(self.tech):
            for step in order.steps.all():
                measured = Decimal(next(values)) if step.requires_measurement else None
                wo.record_step(self.tech, step, measured_value=measured)

    def carry_out_visit(self, visit: Visit) -> None:
        began = _at(visit.days_ago, 8)
        order = self.preventive_order(visit.equipment, visit.title, visit.steps, visit.hours, due_date=began.date())
        with acting_as(self.manager):
            wo.plan_work_order(self.manager, order, [self.tech], planned_start=began)
        with acting_as(self.tech):
            self.start(order)
        self.record_steps(order, visit.measurements)
        downtime = (
            (DowntimeCause.PREVENTIVE, began, began + datetime.timedelta(hours=visit.downtime_hours))
            if visit.downtime_hours
            else None
        )
        done = self.finish(order, self.equipment[visit.equipment], began, visit.hours, downtime, visit.parts)
        planned = began - datetime.timedelta(days=7)
        closed = _at(visit.days_ago - 1, 9)
        _backdate(
            order, {S.APPROVED: planned, S.PLANNED: planned, S.IN_PROGRESS: began, S.DONE: done, S.CLOSED: closed}
        )

    # --- Work in hand --------------------------------------------------------------------

    def create_open_work(self) -> None:
        """Something on every home page: a request to decide, orders approved, planned, in progress, on hold."""
        tech = self.tech
        now = timezone.now()

        # The press is down since this morning: the operator reported it, the technician is on it.
        leak_at = now - datetime.timedelta(hours=2)
        operator = self.users["operator"]
        request = self.report(
            "operator", "PR-01", "Fuite d'huile sur le vérin principal, la presse est arrêtée.", Priority.URGENT
        )
        with acting_as(operator):
            wo.start_downtime(operator, self.equipment["PR-01"], DowntimeCause.FAILURE, leak_at, note=request.reference)
        order = self.approve(request, "Fuite d'huile sur le vérin principal", [tech], due_date=timezone.localdate())
        with acting_as(tech):
            self.start(order)
            wo.log_time(tech, order, Decimal("1.0"), note="Diagnostic, consignation hydraulique")
        started = leak_at + datetime.timedelta(minutes=30)
        approved = leak_at + datetime.timedelta(minutes=15)
        _backdate(order, {S.APPROVED: approved, S.PLANNED: approved, S.IN_PROGRESS: started}, reported_at=leak_at)

        # Blinds of the meeting room: started, waiting for a motor.
        request = self.report("client-a", "CVC-STO-01", "Le store de la salle Rhône reste bloqué en position basse.")
        order = self.approve(request, "Store motorisé bloqué — salle Rhône", [tech])
        with acting_as(tech):
            self.start(order)
            wo.hold_work_order(tech, order, "En attente du moteur de remplacement (livraison sous 5 jours).")
        _backdate(
            order,
            {S.APPROVED: _at(4, 10), S.PLANNED: _at(4, 10), S.IN_PROGRESS: _at(3, 14), S.ON_HOLD: _at(3, 15)},
            reported_at=_at(4, 9),
        )

        # Approved, not yet planned.
        request = self.report("operator", "L1-PP-01", "Bruit de fuite d'air sur la pince du manipulateur.")
        order = self.approve(
            request,
            "Fuite d'air sur la pince du manipulateur",
            due_date=timezone.localdate() + datetime.timedelta(days=7),
        )
        _backdate(order, {S.APPROVED: _at(1, 11)}, reported_at=_at(1, 10))

        # Planned for today for the technician.
        order = self.preventive_order(
            "ENE-PV-01",
            "Contrôle annuel de l'installation photovoltaïque",
            PV_CHECK,
            "2.0",
            due_date=timezone.localdate(),
        )
        with acting_as(self.manager):
            wo.plan_work_order(self.manager, order, [tech], planned_start=_at(0, 14))

        # Proposed by the technician, awaiting the manager's approval.
        conveyor = self.equipment["L1-CONV-01"]
        proposal = WorkOrder(
            site=conveyor.site,
            equipment=conveyor,
            work_type=WorkOrderType.IMPROVEMENT,
            title="Surveillance vibratoire du tambour moteur du convoyeur",
            description="Deux défaillances du convoyeur en cinq mois (roulement, alignement) : un capteur de "
            "vibration relié à l'automate permettrait de passer en maintenance conditionnelle.",
            estimated_hours=Decimal("6.0"),
        )
        with acting_as(tech):
            wo.create_work_order(tech, proposal)

        # A request still to be decided.
        self.report("client-a", "CVC-CTA-01", "Il fait 27 °C dans la salle Rhône depuis ce matin.", Priority.HIGH)

    # --- Connected equipment ---------------------------------------------------------------

    def create_devices(self) -> None:
        """Devices that `maintenir demo` simulates on 127.0.0.1 (see demo/live.py) and polls live."""
        with acting_as(self.manager):
            for code, name, port, simulator, points in DEVICES:
                device = self.save(
                    Device(
                        equipment=self.equipment[code],
                        name=name,
                        protocol=Protocol.MODBUS_TCP,
                        host="127.0.0.1",
                        port=port,
                        options={"simulator": simulator},
                        poll_interval=5,
                        timeout=2,
                        grace_period=60,
                    )
                )
                for point in points:
                    self.save(Point(device=device, register_type=RegisterType.HOLDING, **point))
            controller = self.save(
                Device(
                    equipment=self.equipment["CVC-CTA-01"],
                    name="Automate de la CTA",
                    protocol=Protocol.BACNET_IP,
                    host="127.0.0.1",
                    port=AHU_PORT,
                    options={"simulator": "air_handling_unit", "instance": AHU_INSTANCE},
                    poll_interval=10,
                    timeout=2,
                    grace_period=60,
                )
            )
            controller_points = {point["name"]: self.save(Point(device=controller, **point)) for point in AHU_POINTS}
            self.filter_pressure = controller_points["filter_pressure_drop"]
            # Written to the controller at its points' BACnet priority; reverting relinquishes it.
            parameters.save_parameter_set(
                self.manager,
                ParameterSet(
                    name=AHU_PARAMETER_SET,
                    description="Consigne de soufflage abaissée pour les périodes d'inoccupation.",
                    site=controller.equipment.site,
                ),
                [("supply_air_setpoint", 17.0)],
            )
            sensor = self.save(
                Device(
                    equipment=self.equipment["PR-01"],
                    name="Capteur vibratoire du groupe hydraulique",
                    protocol=Protocol.MQTT,
                    host="127.0.0.1",
                    options={"simulator": "vibration_sensor"},
                    grace_period=600,
                )
            )
            vibration = self.save(
                Point(
                    device=sensor,
                    name="vibration",
                    display_name="Vibration du palier moteur",
                    address="pending",
                    unit="mm/s",
                    brick_class="Vibration_Sensor",
                )
            )
            vibration.address = f"{MQTT_TOPIC_ROOT}/{vibration.pk}"
            self.save(vibration)
            self.vibration = vibration

    def create_commissioning(self) -> None:
        """An installation order in progress on the PV inverter: its power-limit control is being
        commissioned, with checks ready to run live; the technician runs them, signs off, and the
        client gets the commissioning report."""
        inverter = self.equipment["ENE-PV-01"]
        device = inverter.devices.get()
        tech = self.tech
        with acting_as(self.manager):
            self.save(Point(device=device, **PV_POWER_LIMIT))
            order = WorkOrder(
                site=inverter.site,
                equipment=inverter,
                work_type=WorkOrderType.INSTALLATION,
                title="Mise en service du pilotage de la puissance de l'onduleur",
                description="Nouvelle consigne de limitation d'injection demandée par le gestionnaire de réseau : "
                "paramétrer l'onduleur, vérifier les mesures remontées en GTB et remettre le procès-verbal au client.",
                estimated_hours=Decimal("1.5"),
                due_date=timezone.localdate(),
            )
            wo.create_work_order(self.manager, order)
            wo.plan_work_order(self.manager, order, [tech], planned_start=_at(0, 9))
        points = {point.name: point for point in device.points.all()}
        with acting_as(tech):
            self.start(order)
            for check in PV_COMMISSIONING_CHECKS:
                fields = {name: points[value] if name.endswith("point") else value for name, value in check.items()}
                commissioning.add_check(tech, order, **fields)

    # --- Maintenance plans -----------------------------------------------------------------

    def create_maintenance_plans(self) -> None:
        """The office's maintenance contract visits and the line's plan, so preventive work is coming up."""
        manager = self.manager
        today = timezone.localdate()
        with acting_as(manager):
            gammes = {}
            for procedure in PROCEDURES:
                gamme = Gamme(code=procedure.code, name=procedure.name)
                steps = [
                    {
                        "instruction": step.instruction,
                        "unit": step.unit,
                        "expected_min": step.expected_min,
                        "expected_max": step.expected_max,
                        "level": procedure.level,
                        "duration_minutes": procedure.minutes_per_step,
                        "technology": procedure.technology,
                    }
                    for step in procedure.steps
                ]
                preventive.publish_gamme(manager, gamme, steps)
                gammes[procedure.code] = gamme
            office = self.equipment["CVC-CTA-01"].site
            factory = self.equipment["PR-01"].site
            contract = self.save(MaintenancePlan(site=office, name="Contrat de maintenance — Siège Lumière"))
            line = self.save(
                MaintenancePlan(
                    site=factory,
                    production_line=self.equipment["PR-01"].production_line,
                    name="Plan de maintenance — Ligne 1",
                )
            )
            calendar = {"kind": TriggerKind.CALENDAR, "skip_non_working_days": True}
            for trigger in (
                Trigger(
                    plan=contract,
                    gamme=gammes["cta-trimestriel"],
                    equipment=self.equipment["CVC-CTA-01"],
                    interval=3,
                    interval_unit=IntervalUnit.MONTH,
                    start_date=today + datetime.timedelta(days=40),
                    tolerance_days=7,
                    **calendar,
                ),
                Trigger(
                    plan=contract,
                    gamme=gammes["alarme-semestriel"],
                    equipment=self.equipment["SEC-INT-01"],
                    interval=6,
                    interval_unit=IntervalUnit.MONTH,
                    start_date=today + datetime.timedelta(days=92),
                    tolerance_days=14,
                    **calendar,
                ),
                Trigger(
                    plan=contract,
                    gamme=gammes["pac-annuel"],
                    equipment=self.equipment["CVC-PAC-01"],
                    interval=1,
                    interval_unit=IntervalUnit.YEAR,
                    start_date=today + datetime.timedelta(days=10),
                    tolerance_days=15,
                    **calendar,
                ),
                Trigger(
                    plan=line,
                    gamme=gammes["convoyeur-hebdo"],
                    equipment=self.equipment["L1-CONV-01"],
                    interval=1,
                    interval_unit=IntervalUnit.WEEK,
                    start_date=today + datetime.timedelta(days=(7 - today.weekday()) % 7),
                    priority=Priority.NORMAL,
                    **calendar,
                ),
                Trigger(
                    plan=line,
                    gamme=gammes["presse-500h"],
                    equipment=self.equipment["PR-01"],
                    kind=TriggerKind.WHICHEVER_FIRST,
                    interval=3,
                    interval_unit=IntervalUnit.MONTH,
                    anchor=Anchor.COMPLETION,
                    start_date=today + datetime.timedelta(days=63),
                    counter_kind=CounterKind.RUNNING_HOURS,
                    counter_interval=Decimal(500),
                    tolerance_days=3,
                ),
                # The F7 filter is changed at its final pressure drop (250 Pa here), not only every quarter.
                Trigger(
                    plan=contract,
                    gamme=gammes["cta-trimestriel"],
                    equipment=self.equipment["CVC-CTA-01"],
                    kind=TriggerKind.CONDITION,
                    point=self.filter_pressure,
                    operator=ConditionOperator.ABOVE,
                    threshold=250,
                    hold_minutes=5,
                    priority=Priority.NORMAL,
                ),
                # ISO 10816-3: above 7.1 mm/s a rigidly mounted machine is in zone D.
                Trigger(
                    plan=line,
                    gamme=gammes["presse-vibration"],
                    equipment=self.equipment["PR-01"],
                    kind=TriggerKind.PREDICTIVE,
                    point=self.vibration,
                    operator=ConditionOperator.ABOVE,
                    threshold=7.1,
                    horizon_days=30,
                    window_days=1,
                    priority=Priority.HIGH,
                ),
            ):
                preventive.save_trigger(manager, trigger)
            for plan in (contract, line):
                preventive.activate_plan(manager, plan)


# The press's production: two shifts of 7 h, 120 strokes an hour at nominal rate.
PRODUCTION_DAYS = 56
PRESS_SHIFT_HOURS = Decimal(14)
PRESS_RATE = Decimal(120)


@dataclass(frozen=True)
class NextWeekOrder:
    code: str
    title: str
    hours: str
    due_in_days: int
    priority: int
    # ("skill", code, level), ("habilitation", code) or ("ccp", position in the industrial title)
    requirements: tuple[tuple[Any, ...], ...]


NEXT_WEEK = (
    NextWeekOrder(
        "L1-CONV-01",
        "Remplacement du variateur du moteur de convoyeur",
        "3.0",
        9,
        Priority.HIGH,
        (("habilitation", "B2V"), ("ccp", 1)),
    ),
    NextWeekOrder(
        "PR-01", "Contrôle des flexibles hydrauliques", "2.5", 10, Priority.NORMAL, (("skill", "hydraulique", 3),)
    ),
    NextWeekOrder(
        "CVC-CTA-01", "Réglage des registres de la CTA", "2.0", 8, Priority.NORMAL, (("skill", "cvc-gtb", 2),)
    ),
    NextWeekOrder(
        "ENE-CPT-01", "Mesures sur le TGBT et le compteur", "1.5", 11, Priority.LOW, (("habilitation", "BE mesure"),)
    ),
    NextWeekOrder(
        "SEC-ACC-01", "Remplacement d'un lecteur de badges", "1.0", 7, Priority.HIGH, (("skill", "automatismes", 2),)
    ),
    NextWeekOrder(
        "L1-API-01", "Sauvegarde et mise à jour de l'automate", "2.0", 12, Priority.LOW, (("skill", "automatismes", 3),)
    ),
)


def build_demo() -> bool:
    """Create the demo data on an empty database; return False (creating nothing) if it has data."""
    if Organisation.objects.exists():
        return False
    with transaction.atomic():
        _Demo().build()
    return True
