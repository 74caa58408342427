"""Every endpoint, for anonymous, the other client, a permitted role and a refused role.

Add a row to ENDPOINTS for each new endpoint; `test_every_route_is_in_the_table` fails otherwise.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from maintenir.api import (
    assets,
    certification,
    devices,
    people,
    planning,
    preventive,
    reliability,
    reports,
    safety,
    stores,
    stores_counts,
    stores_purchasing,
    stores_repairables,
    workorders,
)
from maintenir.api.tests.conftest import World, call
from maintenir.core.tests.tables import snapshot


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with the world as `w`
    user: str  # persona fixture that may call it
    status: int = 200
    body: Callable[[World, Any], dict[str, Any]] = field(default=lambda w, p: {})
    refused: str | None = None  # persona whose role may not call it: 403, nothing changed
    outsider: int = 404  # status for the other client calling with this organisation's ids

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _user_ids(ids: list[str]) -> Callable[[World, Any], dict[str, Any]]:
    return lambda w, p: {"assignees": [p[name].pk for name in ids]}


def _stock(quantity: str, **more: Any) -> Callable[[World, Any], dict[str, Any]]:
    return lambda w, p: {"part": w.part.pk, "location": w.store.pk, "quantity": quantity, **more}


def _receipt(quantity: str) -> Callable[[World, Any], dict[str, Any]]:
    return lambda w, p: {"quantity": quantity, "unit_cost": "8.10", "reference": "BL-2026-131"}


PURCHASING = "/api/purchase-orders/{w.purchasing.sent.pk}"
ENDPOINTS = [
    # Reorder and purchasing: the company's, refused to every client
    Endpoint("get", "/api/suppliers", "technician", outsider=403),
    Endpoint("get", "/api/suppliers/{w.purchasing.supplier.pk}", "technician"),
    Endpoint("get", "/api/suppliers/{w.purchasing.supplier.pk}/parts", "technician"),
    Endpoint(
        "post",
        "/api/suppliers",
        "manager",
        201,
        lambda w, p: {"name": "Würth France", "email": "commandes@wurth.example"},
        refused="technician",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/supplier-parts",
        "manager",
        201,
        lambda w, p: {
            "supplier": w.purchasing.supplier.pk,
            "part": w.purchasing.unsold.pk,
            "supplier_reference": "6205-2RSH",
            "price": "7.80",
            "minimum_order": "10",
            "lead_time_days": 4,
        },
        refused="technician",
        outsider=403,
    ),
    Endpoint("get", "/api/reorder-rules", "technician", outsider=403),
    Endpoint(
        "post",
        "/api/reorder-rules",
        "manager",
        201,
        lambda w, p: {
            "part": w.purchasing.unsold.pk,
            "location": w.purchasing.store.pk,
            "reorder_point": "2",
            "maximum": "6",
        },
        refused="technician",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/reorder-suggestion?part={w.purchasing.part.pk}&location={w.purchasing.store.pk}",
        "technician",
        outsider=403,
    ),
    Endpoint("get", "/api/reorder-proposals", "technician", outsider=403),
    Endpoint("get", "/api/purchase-requests", "technician", outsider=403),
    Endpoint(
        "post",
        "/api/purchase-requests",
        "manager",
        201,
        lambda w, p: {"part": w.purchasing.part.pk, "location": w.purchasing.store.pk, "quantity": "4"},
        refused="technician",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/purchase-requests/from-proposals",
        "manager",
        201,
        lambda w, p: {"rules": [w.purchasing.rule.pk]},
        refused="technician",
        outsider=403,
    ),
    Endpoint("post", "/api/purchase-requests/{w.purchasing.request.pk}/cancel", "manager", refused="technician"),
    Endpoint("get", "/api/purchase-orders", "technician", outsider=403),
    Endpoint("get", PURCHASING, "technician"),
    Endpoint("get", PURCHASING + "/pdf", "technician"),
    Endpoint(
        "post",
        "/api/purchase-orders",
        "manager",
        201,
        lambda w, p: {"requests": [w.purchasing.request.pk]},
        refused="technician",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/purchase-orders/{w.purchasing.draft.pk}/send",
        "manager",
        body=lambda w, p: {"message": "Livraison au magasin de Lyon"},
        refused="technician",
    ),
    Endpoint("post", "/api/purchase-orders/{w.purchasing.draft.pk}/cancel", "manager", refused="technician"),
    Endpoint(
        "post",
        PURCHASING + "/lines/{w.purchasing.sent_line.pk}/receipts",
        "manager",
        201,
        _receipt("4"),
        refused="technician",
    ),
    # Spare parts and stock
    # Where used, critical spares and repairable units
    Endpoint("get", "/api/parts/{w.part.pk}/where-used", "client_a"),
    Endpoint("get", "/api/equipment/{w.equipment.pk}/spare-parts", "client_a"),
    Endpoint("get", "/api/critical-spares-short", "manager", refused="technician", outsider=403),
    Endpoint(
        "post",
        "/api/part-fits",
        "manager",
        201,
        lambda w, p: {"part": w.part.pk, "equipment": w.equipment_down.pk, "quantity": "2"},
        refused="technician",
        outsider=422,
    ),
    Endpoint("delete", "/api/part-fits/{w.fit.pk}", "manager", 204, refused="technician"),
    Endpoint("get", "/api/repairable-units", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/repairable-units",
        "technician",
        201,
        lambda w, p: {"part": w.unit.part_id, "serial_number": "A10-9", "location": w.store.pk, "unit_cost": "900"},
        refused="client_a",
        outsider=422,
    ),
    Endpoint("get", "/api/repairable-units/{w.unit.pk}", "client_a"),
    Endpoint("get", "/api/repairable-units/{w.unit.pk}/events", "client_a"),
    Endpoint(
        "post",
        "/api/repairable-units/{w.unit.pk}/fit",
        "technician",
        body=lambda w, p: {"equipment": w.equipment.pk, "work_order": "OT-1"},
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/repairable-units/{w.fitted_unit.pk}/remove",
        "technician",
        body=lambda w, p: {"failed": True, "note": "Surintensité"},
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/repairable-units/{w.failed_unit.pk}/send-for-repair",
        "technician",
        body=lambda w, p: {"repairer_name": "Atelier Servo Rhône", "reference": "RMA-1"},
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/repairable-units/{w.unit_at_repairer.pk}/return-from-repair",
        "manager",
        body=lambda w, p: {"location": w.store.pk, "cost": "300"},
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/repairable-units/{w.failed_unit.pk}/scrap",
        "manager",
        body=lambda w, p: {"note": "Hors d'usage"},
        refused="technician",
    ),
    Endpoint("get", "/api/parts", "client_a", outsider=200),
    Endpoint("get", "/api/parts/{w.part.pk}", "client_a"),
    Endpoint("get", "/api/parts/{w.part.pk}/offers", "technician"),
    Endpoint(
        "post",
        "/api/parts",
        "manager",
        201,
        lambda w, p: {"reference": "BRG-6205-NTN", "description": "Bearing 6205 LLU", "technology": "mechanical"},
        refused="technician",
        outsider=403,
    ),
    Endpoint("get", "/api/stock-locations", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/stock-locations",
        "manager",
        201,
        lambda w, p: {"code": "van-ines", "name": "Van Inès", "kind": "van", "technician": p["technician"].pk},
        refused="technician",
        outsider=422,
    ),
    Endpoint("get", "/api/stock-balances", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/stock-movements/counts",
        "technician",
        201,
        lambda w, p: {"part": w.part.pk, "location": w.store.pk, "counted": "3", "reference": "INV-2026-12"},
        refused="client_a",
        outsider=422,
    ),
    Endpoint(
        "post",
        "/api/stock-movements/adjustments",
        "manager",
        201,
        _stock("-1", note="Cracked when dropped"),
        refused="technician",
        outsider=422,
    ),
    Endpoint("get", "/api/stock-movements", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/stock-movements/receipts",
        "technician",
        201,
        _stock("2", unit_cost="7.25", reference="BL-2026-118"),
        refused="client_a",
        outsider=422,
    ),
    Endpoint("post", "/api/stock-movements/issues", "technician", 201, _stock("1"), refused="client_a", outsider=422),
    Endpoint(
        "post",
        "/api/stock-movements/transfers",
        "technician",
        201,
        lambda w, p: {"part": w.part.pk, "source": w.store.pk, "destination": w.bin.pk, "quantity": "1"},
        refused="client_a",
        outsider=422,
    ),
    Endpoint(
        "post", "/api/work-orders/{w.planned.pk}/reservations", "technician", 201, _stock("1"), refused="client_a"
    ),
    Endpoint(
        "post", "/api/work-orders/{w.in_progress.pk}/stock-parts", "technician", 201, _stock("1"), refused="client_a"
    ),
    # Cycle counts
    Endpoint("get", "/api/cycle-counts", "client_a", outsider=200),
    Endpoint("get", "/api/cycle-counts/{w.counting.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/cycle-counts",
        "manager",
        201,
        lambda w, p: {"location": w.store.pk, "planned_for": "2026-12-08", "lines": 1},
        refused="technician",
        outsider=422,
    ),
    Endpoint("post", "/api/cycle-counts/{w.planned_count.pk}/start", "technician", refused="client_a"),
    Endpoint(
        "post",
        "/api/cycle-counts/{w.counting.pk}/lines/{w.counting_line.pk}",
        "technician",
        body=lambda w, p: {"counted": "2"},
        refused="client_a",
    ),
    Endpoint("post", "/api/cycle-counts/{w.counting.pk}/complete", "technician", refused="client_a"),
    # Sites
    Endpoint("get", "/api/sites", "client_a", outsider=200),
    Endpoint("get", "/api/sites/{w.site.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/sites",
        "manager",
        201,
        lambda w, p: {"organisation": w.site.organisation_id, "code": "annexe", "name": "Annexe"},
        refused="client_a",
        outsider=422,
    ),
    Endpoint("patch", "/api/sites/{w.site.pk}", "manager", 200, lambda w, p: {"name": "Renamed"}, refused="client_a"),
    # Equipment
    Endpoint("get", "/api/equipment", "client_a", outsider=200),
    Endpoint("get", "/api/equipment/{w.equipment.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/equipment",
        "technician",
        201,
        lambda w, p: {
            "site": w.site.pk,
            "code": "PMP-01",
            "name": "Pompe",
            "equipment_type": w.equipment.equipment_type_id,
            "technologies": ["hydraulic", "electrical"],
        },
        refused="client_a",
        outsider=422,
    ),
    Endpoint(
        "patch",
        "/api/equipment/{w.equipment.pk}",
        "technician",
        200,
        lambda w, p: {"name": "Renamed", "technologies": ["automation"]},
        refused="client_a",
    ),
    Endpoint("get", "/api/equipment/{w.equipment.pk}/changes", "client_a"),
    Endpoint("get", "/api/equipment/{w.equipment.pk}/counters", "client_a"),
    Endpoint(
        "post",
        "/api/equipment/{w.equipment.pk}/counters/{w.counter.pk}/readings",
        "operator_a",
        201,
        lambda w, p: {"value": "1250.5"},
        refused="client_a",
    ),
    Endpoint("get", "/api/equipment-types", "client_a", outsider=200),
    # Downtimes
    Endpoint(
        "post",
        "/api/equipment/{w.equipment.pk}/downtimes",
        "technician",
        201,
        lambda w, p: {"cause": "failure", "note": "Pressure loss"},
        refused="client_a",
    ),
    Endpoint("post", "/api/downtimes/{w.downtime.pk}/end", "technician", refused="client_a"),
    # Work requests
    Endpoint("get", "/api/work-requests", "client_a", outsider=200),
    Endpoint("get", "/api/work-requests/{w.work_request.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/work-requests",
        "client_a",
        201,
        lambda w, p: {"site": w.site.pk, "equipment": w.equipment.pk, "symptom": "Noisy fan", "urgency": 2},
        outsider=422,
    ),
    Endpoint(
        "patch",
        "/api/work-requests/{w.work_request.pk}",
        "manager",
        200,
        lambda w, p: {"symptom": "Noisy fan bearing"},
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/work-requests/{w.work_request.pk}/approve",
        "manager",
        200,
        lambda w, p: {"priority": 1, "assignees": [p["technician"].pk], "title": "Replace the bearing"},
        refused="technician",
    ),
    Endpoint(
        "post",
        "/api/work-requests/{w.work_request.pk}/reject",
        "manager",
        200,
        lambda w, p: {"reason": "Duplicate"},
        refused="technician",
    ),
    # Work orders
    Endpoint("get", "/api/work-orders", "client_a", outsider=200),
    Endpoint("get", "/api/work-orders/{w.approved.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/work-orders",
        "technician",
        201,
        lambda w, p: {
            "site": w.site.pk,
            "equipment": w.equipment.pk,
            "title": "Replace filters",
            "work_type": "preventive_systematic",
            "steps": [{"instruction": "Measure the pressure drop", "requires_measurement": True, "unit": "Pa"}],
        },
        refused="client_a",
        outsider=422,
    ),
    Endpoint(
        "patch",
        "/api/work-orders/{w.approved.pk}",
        "manager",
        200,
        lambda w, p: {"title": "Renamed", "priority": 1},
        refused="client_a",
    ),
    Endpoint("post", "/api/work-orders/{w.requested.pk}/approve", "manager", refused="technician"),
    Endpoint(
        "post", "/api/work-orders/{w.approved.pk}/plan", "manager", 200, _user_ids(["technician"]), refused="technician"
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.planned.pk}/assign",
        "manager",
        200,
        _user_ids(["other_technician"]),
        refused="technician",
    ),
    Endpoint("post", "/api/work-orders/{w.planned.pk}/start", "technician", refused="other_technician"),
    Endpoint(
        "post",
        "/api/work-orders/{w.in_progress.pk}/hold",
        "technician",
        200,
        lambda w, p: {"reason": "Waiting for parts"},
        refused="other_technician",
    ),
    Endpoint("post", "/api/work-orders/{w.on_hold.pk}/resume", "technician", refused="other_technician"),
    Endpoint(
        "post",
        "/api/work-orders/{w.finishing.pk}/complete",
        "technician",
        200,
        lambda w, p: {"findings": "Belt replaced"},
        refused="other_technician",
    ),
    Endpoint("post", "/api/work-orders/{w.done.pk}/close", "manager", refused="technician"),
    Endpoint(
        "post",
        "/api/work-orders/{w.approved.pk}/cancel",
        "manager",
        200,
        lambda w, p: {"reason": "Not needed"},
        refused="technician",
    ),
    Endpoint("get", "/api/work-orders/{w.in_progress.pk}/transitions", "client_a"),
    Endpoint("get", "/api/work-orders/{w.in_progress.pk}/changes", "client_a"),
    Endpoint("get", "/api/work-orders/{w.in_progress.pk}/steps", "client_a"),
    Endpoint(
        "post",
        "/api/work-orders/{w.in_progress.pk}/steps/{w.step.pk}",
        "technician",
        200,
        lambda w, p: {"is_done": True, "remark": "OK"},
        refused="other_technician",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.in_progress.pk}/time",
        "technician",
        201,
        lambda w, p: {"hours": "1.5", "note": "Diagnosis"},
        refused="other_technician",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.in_progress.pk}/parts",
        "technician",
        201,
        lambda w, p: {"description": "V-belt SPZ 1250", "quantity": 2},
        refused="other_technician",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.in_progress.pk}/failure-coding",
        "technician",
        200,
        lambda w, p: {"failure_mode": w.failure_mode.code, "findings": "Worn belt"},
        refused="other_technician",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.in_progress.pk}/sign-offs",
        "technician",
        201,
        lambda w, p: {"role": "technician", "name": "Tech"},
        refused="other_technician",
    ),
    # Commissioning checks and report
    Endpoint("get", "/api/work-orders/{w.commissioning.pk}/commissioning-checks", "client_a"),
    Endpoint(
        "post",
        "/api/work-orders/{w.commissioning.pk}/commissioning-checks",
        "technician",
        201,
        lambda w, p: {"name": "Power in range", "point": w.point.pk, "expected_min": 0, "expected_max": 120},
        refused="client_a",
    ),
    Endpoint(
        "patch",
        "/api/work-orders/{w.commissioning.pk}/commissioning-checks/{w.check.pk}",
        "technician",
        200,
        lambda w, p: {"timeout": 2},
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.commissioning.pk}/commissioning-checks/{w.check.pk}/run",
        "technician",
        refused="other_technician",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.commissioning.pk}/commissioning-checks/run-all",
        "technician",
        refused="other_technician",
    ),
    Endpoint("get", "/api/work-orders/{w.commissioning.pk}/commissioning-report", "client_a"),
    Endpoint("get", "/api/work-orders/{w.done.pk}/intervention-report", "client_a"),
    Endpoint("get", "/api/sites/{w.site.pk}/equipment-state-report", "client_a"),
    Endpoint("get", "/api/reports/monthly?scope=site&id={w.site.pk}", "manager", refused="client_a", outsider=403),
    Endpoint(
        "post",
        "/api/work-orders/{w.done.pk}/intervention-report/email",
        "client_a",
        201,
        lambda w, p: {"recipients": ["facilities@example.com"], "message": "Our report"},
    ),
    Endpoint(
        "post",
        "/api/sites/{w.site.pk}/equipment-state-report/email",
        "technician",
        201,
        lambda w, p: {"recipients": ["facilities@example.com"]},
    ),
    Endpoint(
        "post",
        "/api/reports/monthly/email?scope=site&id={w.site.pk}",
        "manager",
        201,
        lambda w, p: {"recipients": ["director@example.com"]},
        refused="client_a",
        outsider=403,
    ),
    Endpoint("get", "/api/report-mailings", "client_a", outsider=200),
    # Coded lists
    Endpoint("get", "/api/failure-modes", "client_a", outsider=200),
    Endpoint("get", "/api/failure-mechanisms", "client_a", outsider=200),
    Endpoint("get", "/api/failure-causes", "client_a", outsider=200),
    Endpoint("get", "/api/remedies", "client_a", outsider=200),
    Endpoint("get", "/api/detection-methods", "client_a", outsider=200),
    # Devices and points
    Endpoint("get", "/api/devices", "client_a", outsider=200),
    Endpoint("get", "/api/devices/{w.device.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/devices",
        "technician",
        201,
        lambda w, p: {"equipment": w.equipment.pk, "name": "Onduleur PV", "protocol": "modbus_tcp", "host": "10.0.0.9"},
        refused="client_a",
        outsider=422,
    ),
    Endpoint(
        "patch", "/api/devices/{w.device.pk}", "technician", 200, lambda w, p: {"poll_interval": 10}, refused="client_a"
    ),
    Endpoint("get", "/api/devices/{w.device.pk}/points", "client_a"),
    Endpoint(
        "post",
        "/api/devices/{w.device.pk}/points",
        "technician",
        201,
        lambda w, p: {"name": "voltage", "address": "40", "register_type": "input", "data_type": "uint16"},
        refused="client_a",
    ),
    Endpoint("patch", "/api/points/{w.point.pk}", "technician", 200, lambda w, p: {"unit": "W"}, refused="client_a"),
    Endpoint("get", "/api/points/{w.point.pk}/readings", "client_a"),
    Endpoint("get", "/api/points/{w.point.pk}/history", "client_a"),
    Endpoint("get", "/api/devices/{w.device.pk}/points/export", "client_a"),
    Endpoint(
        "post",
        "/api/devices/{w.device.pk}/points/import",
        "technician",
        200,
        lambda w, p: {"csv": "name,address,register_type,data_type\nfrequency,60,holding,uint16\n"},
        refused="client_a",
    ),
    # Parameter sets
    Endpoint("get", "/api/parameter-sets", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/parameter-sets",
        "technician",
        201,
        lambda w, p: {"name": "Consignes été", "entries": [{"point_name": "active_power", "value": 40}]},
        refused="client_a",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/parameter-sets/{w.parameter_set.pk}/apply",
        "technician",
        200,
        lambda w, p: {"devices": [w.device.pk]},
        refused="client_a",
    ),
    Endpoint("get", "/api/devices/{w.device.pk}/applications", "client_a"),
    Endpoint("post", "/api/applications/{w.application.pk}/revert", "technician", refused="client_a"),
    # Training of operators on level-1 gammes
    Endpoint("get", "/api/training-sessions", "client_a", outsider=200),
    Endpoint("get", "/api/training-sessions/{w.training.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/training-sessions",
        "technician",
        201,
        lambda w, p: {
            "site": w.site.pk,
            "topic": "Graissage",
            "date": "2026-01-15",
            "gammes": [w.level_one_gamme.pk],
            "attendees": [p["operator_a"].pk],
        },
        refused="client_a",
        outsider=403,
    ),
    Endpoint(
        "patch",
        "/api/training-sessions/{w.training.pk}",
        "technician",
        200,
        lambda w, p: {"topic": "Graissage et nettoyage", "attendees": [p["operator_a"].pk]},
        refused="operator_a",
    ),
    # Gammes: the company's procedures, shared by every client and not shown to client users
    Endpoint("get", "/api/gammes", "technician", outsider=200),
    Endpoint("get", "/api/gammes/{w.gamme.pk}", "technician"),
    Endpoint("get", "/api/gammes/export", "technician", outsider=200),
    Endpoint(
        "post",
        "/api/gammes/import",
        "manager",
        200,
        lambda w, p: {"csv": "code,name,instruction\nnew-gamme,New,Clean the filter\n"},
        refused="technician",
        outsider=403,
    ),
    Endpoint("get", "/api/gammes/{w.gamme.pk}/versions", "technician"),
    Endpoint("get", "/api/gammes/{w.gamme.pk}/parts", "technician"),
    Endpoint(
        "post",
        "/api/gammes/{w.gamme.pk}/parts",
        "manager",
        201,
        lambda w, p: {"part": w.part.pk, "quantity": "2", "note": "Spare bearing"},
        refused="technician",
    ),
    Endpoint("delete", "/api/gammes/{w.gamme.pk}/parts/{w.part.pk}", "manager", 204, refused="technician"),
    Endpoint(
        "post",
        "/api/gammes",
        "manager",
        201,
        lambda w, p: {"code": "ahu-yearly", "name": "AHU yearly", "steps": [{"instruction": "Clean the coil"}]},
        refused="technician",
        outsider=403,
    ),
    Endpoint(
        "patch",
        "/api/gammes/{w.gamme.pk}",
        "manager",
        200,
        lambda w, p: {"steps": [{"instruction": "Check the belt", "unit": "mm", "expected_max": "5"}]},
        refused="technician",
    ),
    # Maintenance plans
    Endpoint("get", "/api/maintenance-plans", "client_a", outsider=200),
    Endpoint("get", "/api/maintenance-plans/{w.plan.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/maintenance-plans",
        "manager",
        201,
        lambda w, p: {"site": w.site.pk, "name": "Contract visits"},
        refused="technician",
        outsider=422,
    ),
    Endpoint(
        "patch",
        "/api/maintenance-plans/{w.plan.pk}",
        "manager",
        200,
        lambda w, p: {"name": "Renamed"},
        refused="technician",
    ),
    Endpoint("post", "/api/maintenance-plans/{w.draft_plan.pk}/activate", "manager", refused="technician"),
    Endpoint("post", "/api/maintenance-plans/{w.plan.pk}/suspend", "manager", refused="technician"),
    Endpoint("post", "/api/maintenance-plans/{w.plan.pk}/archive", "manager", refused="technician"),
    # Triggers
    Endpoint("get", "/api/triggers", "client_a", outsider=200),
    Endpoint("get", "/api/triggers/{w.trigger.pk}", "client_a"),
    Endpoint("get", "/api/triggers/export", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/triggers/import",
        "manager",
        200,
        lambda w, p: {
            "csv": "id,plan,gamme,kind,interval,equipment\n"
            + f"{w.trigger.pk},{w.plan.pk},{w.gamme.code},calendar,2,{w.equipment.code}\n"
        },
        refused="technician",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/triggers",
        "manager",
        201,
        lambda w, p: {
            "plan": w.plan.pk,
            "gamme": w.gamme.pk,
            "equipment": w.equipment.pk,
            "kind": "counter",
            "counter_kind": "running_hours",
            "counter_interval": "500",
        },
        refused="technician",
        outsider=422,
    ),
    Endpoint(
        "patch",
        "/api/triggers/{w.trigger.pk}",
        "manager",
        200,
        lambda w, p: {"tolerance_days": 7},
        refused="technician",
    ),
    # Forecast and generation
    Endpoint("get", "/api/preventive/forecast", "client_a", outsider=200),
    Endpoint("get", "/api/equipment/{w.equipment.pk}/next-due", "client_a"),
    Endpoint("post", "/api/preventive/generate", "manager", 200, lambda w, p: {}, refused="technician", outsider=403),
    # Certification: the referential is public, the records are the training centre's (no client sees them).
    Endpoint("get", "/api/certification/titles", "client_a", outsider=200),
    Endpoint("get", "/api/certification/titles/{w.certification.version.title_id}", "client_a", outsider=200),
    Endpoint("get", "/api/certification/centres", "client_a", outsider=200),
    Endpoint(
        "get", "/api/certification/ccps/{w.certification.ccp.pk}/holders", "manager", refused="technician", outsider=403
    ),
    # Keeping the referential: administrators write, the training centre reads, the other roles are refused.
    Endpoint(
        "post",
        "/api/certification/titles/{w.certification.version.title_id}/versions",
        "administrator",
        201,
        lambda w, p: {
            "name": "Arrêté 2040",
            "valid_from": "2040-01-01",
            "regulation": w.certification.version.regulation_id,
        },
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/certification/versions/{w.certification.version.pk}",
        "training_staff",
        refused="manager",
        outsider=403,
    ),
    Endpoint(
        "patch",
        "/api/certification/versions/{w.certification.version.pk}",
        "administrator",
        200,
        lambda w, p: {"name": "Arrêté modifié"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/certification/versions/{w.certification.version.pk}/changes",
        "training_staff",
        refused="manager",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/certification/versions/{w.certification.revised.pk}/revisions",
        "administrator",
        201,
        lambda w, p: {"name": "Révision 2040", "valid_from": "2040-01-01"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/certification/versions/{w.certification.version.pk}/closure?valid_until=2030-12-31",
        "training_staff",
        refused="manager",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/certification/versions/{w.certification.revised.pk}/closure",
        "administrator",
        200,
        lambda w, p: {"valid_until": "2035-12-31"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/certification/versions/{w.certification.revised.pk}/ccps",
        "administrator",
        201,
        lambda w, p: {"position": 3, "name": "Optimiser"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/certification/versions/{w.certification.revised.pk}/correspondences",
        "training_staff",
        refused="manager",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/certification/versions/{w.certification.revised.pk}/correspondences",
        "administrator",
        201,
        lambda w, p: {"old_ccps": [w.certification.ccp.pk], "new_ccp": w.certification.new_ccp.pk},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "delete",
        "/api/certification/correspondences/{w.certification.correspondence.pk}",
        "administrator",
        204,
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/certification/titles/{w.certification.version.title_id}/ccs",
        "administrator",
        201,
        lambda w, p: {"name": "Gestion technique du bâtiment"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "patch",
        "/api/certification/ccs/{w.certification.ccs.pk}",
        "administrator",
        200,
        lambda w, p: {"name": "Supervision"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "post",
        "/api/certification/centres",
        "administrator",
        201,
        lambda w, p: {"name": "Centre de Lyon", "approval_number": "AGR-LYON", "city": "Lyon"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/certification/centres/{w.certification.session.centre_id}",
        "training_staff",
        refused="manager",
        outsider=403,
    ),
    Endpoint(
        "patch",
        "/api/certification/centres/{w.certification.session.centre_id}",
        "administrator",
        200,
        lambda w, p: {"city": "Lyon"},
        refused="training_staff",
        outsider=403,
    ),
    Endpoint(
        "get",
        "/api/certification/centres/{w.certification.session.centre_id}/changes",
        "training_staff",
        refused="manager",
        outsider=403,
    ),
    Endpoint("get", "/api/certification/candidates", "manager", outsider=200),
    Endpoint(
        "post",
        "/api/certification/candidates",
        "training_staff",
        201,
        lambda w, p: {"first_name": "Inès", "last_name": "Moreau", "user": p["other_technician"].pk},
        refused="manager",
        outsider=403,
    ),
    Endpoint("get", "/api/certification/candidates/{w.certification.candidate.pk}", "manager"),
    Endpoint(
        "patch",
        "/api/certification/candidates/{w.certification.candidate.pk}",
        "training_staff",
        200,
        lambda w, p: {"email": "camille@example.org"},
        refused="manager",
    ),
    Endpoint("get", "/api/certification/candidates/{w.certification.candidate.pk}/paths", "manager"),
    Endpoint(
        "post",
        "/api/certification/candidates/{w.certification.candidate.pk}/paths",
        "training_staff",
        201,
        lambda w, p: {"kind": "discontinuous", "version": w.certification.version.pk, "started_on": "2025-01-06"},
        refused="manager",
    ),
    Endpoint("get", "/api/certification/candidates/{w.certification.candidate.pk}/standing", "manager"),
    Endpoint(
        "get",
        "/api/certification/candidates/{w.certification.candidate.pk}/titles/{w.certification.version.title_id}/livret",
        "manager",
    ),
    Endpoint("get", "/api/certification/decisions/{w.certification.titled.pk}/parchemin", "manager"),
    Endpoint(
        "post",
        "/api/certification/paths/{w.certification.vae_path.pk}/experience",
        "training_staff",
        201,
        lambda w, p: {"employer": "Elec Services", "started_on": "2024-01-01", "ended_on": "2024-06-30"},
        refused="manager",
    ),
    Endpoint(
        "patch",
        "/api/certification/paths/{w.certification.path.pk}",
        "training_staff",
        200,
        lambda w, p: {"started_on": "2024-02-05"},
        refused="manager",
    ),
    Endpoint(
        "post",
        "/api/certification/paths/{w.certification.vae_path.pk}/admissibility",
        "training_staff",
        200,
        lambda w, p: {"admissible": True, "on": "2024-02-01"},
        refused="manager",
    ),
    Endpoint("get", "/api/certification/paths/{w.certification.vae_path.pk}/admissibility", "manager"),
    Endpoint("get", "/api/certification/sessions", "manager", outsider=200),
    Endpoint(
        "post",
        "/api/certification/sessions",
        "training_staff",
        201,
        lambda w, p: {
            "kind": "ccp",
            "version": w.certification.version.pk,
            "ccp": w.certification.ccp.pk,
            "centre": w.certification.session.centre_id,
            "date": "2025-09-15",
        },
        refused="manager",
        outsider=403,
    ),
    Endpoint("get", "/api/certification/sessions/{w.certification.session.pk}", "manager"),
    Endpoint("get", "/api/certification/sessions/{w.certification.session.pk}/jury-validity", "manager"),
    Endpoint(
        "patch",
        "/api/certification/sessions/{w.certification.session.pk}",
        "training_staff",
        200,
        lambda w, p: {"date": "2025-06-09"},
        refused="manager",
    ),
    Endpoint(
        "post",
        "/api/certification/sessions/{w.certification.session.pk}/jury",
        "training_staff",
        201,
        lambda w, p: {"name": "Sam Leroy", "profile": "professional", "years_in_trade": 12, "approved": True},
        refused="manager",
    ),
    Endpoint(
        "delete",
        "/api/certification/sessions/{w.certification.session.pk}/jury/{w.certification.juror.pk}",
        "training_staff",
        204,
        refused="manager",
    ),
    Endpoint("get", "/api/certification/sessions/{w.certification.session.pk}/registrations", "manager"),
    Endpoint(
        "post",
        "/api/certification/sessions/{w.certification.session.pk}/registrations",
        "training_staff",
        201,
        lambda w, p: {"candidate": w.certification.newcomer.candidate_id, "path": w.certification.newcomer.pk},
        refused="manager",
    ),
    Endpoint(
        "post",
        "/api/certification/registrations/{w.certification.registration.pk}/elements",
        "training_staff",
        201,
        lambda w, p: {"kind": "in_training", "result": "15/20"},
        refused="manager",
    ),
    Endpoint(
        "post",
        "/api/certification/registrations/{w.certification.registration.pk}/decision",
        "training_staff",
        201,
        lambda w, p: {"title_granted": True},
        refused="manager",
    ),
    # Reliability
    Endpoint("get", "/api/reliability/kpis?scope=site&id={w.site.pk}&group_by=equipment", "client_a"),
    Endpoint("get", "/api/reliability/kpis?scope=all&group_by=site", "client_a", outsider=200),
    Endpoint("get", "/api/reliability/pareto?scope=site&id={w.site.pk}&by=equipment", "client_a"),
    Endpoint("get", "/api/reliability/trend?scope=equipment&id={w.equipment.pk}", "client_a"),
    Endpoint("get", "/api/production-records", "client_a", outsider=200),
    Endpoint(
        "post",
        "/api/production-records",
        "operator_a",
        201,
        lambda w, p: {
            "equipment": w.equipment.pk,
            "date": "2026-01-12",
            "planned_hours": "8",
            "run_hours": "7",
            "nominal_rate": "60",
            "output": 400,
            "rejects": 4,
        },
        refused="technician",
        outsider=422,
    ),
    # Improvement proposals
    Endpoint("get", "/api/improvement-proposals", "client_a", outsider=200),
    Endpoint("get", "/api/improvement-proposals/{w.proposal.pk}", "client_a"),
    Endpoint(
        "post",
        "/api/improvement-proposals",
        "technician",
        201,
        lambda w, p: {
            "equipment": w.equipment.pk,
            "failure_mode": w.failure_mode.code,
            "title": "Anti-vibration mounts",
            "modification": "Fit anti-vibration mounts under the motor.",
            "cost": "800",
            "expected_gain": "1600",
        },
        refused="client_a",
        outsider=422,
    ),
    Endpoint(
        "post",
        "/api/improvement-proposals/{w.proposal.pk}/approve",
        "manager",
        200,
        lambda w, p: {"note": "Go"},
        refused="technician",
    ),
    Endpoint(
        "post",
        "/api/improvement-proposals/{w.proposal.pk}/reject",
        "manager",
        200,
        lambda w, p: {"note": "Not the cause"},
        refused="technician",
    ),
    Endpoint("post", "/api/improvement-proposals/{w.approved_proposal.pk}/carry-out", "manager", refused="technician"),
    # Requirements
    # A client sees the order, not the staff's requirements on it.
    Endpoint("get", "/api/work-orders/{w.requirement.work_order_id}/requirements", "technician"),
    Endpoint(
        "post",
        "/api/work-orders/{w.approved.pk}/requirements",
        "manager",
        201,
        lambda w, p: {"skill": w.people.skill.pk, "min_level": 3},
        refused="technician",
    ),
    Endpoint("delete", "/api/work-order-requirements/{w.requirement.pk}", "manager", 204, refused="technician"),
    Endpoint("get", "/api/work-type-requirements", "technician", outsider=200),
    Endpoint(
        "post",
        "/api/work-type-requirements",
        "manager",
        201,
        lambda w, p: {"work_type": "installation", "habilitation_type": w.people.free_type.pk},
        refused="technician",
        outsider=422,
    ),
    Endpoint("delete", "/api/work-type-requirements/{w.type_requirement.pk}", "manager", 204, refused="technician"),
    # Planning
    Endpoint("get", "/api/planning/plans", "technician", outsider=200),
    Endpoint("get", "/api/planning/plans/{w.dispatch_plan.pk}", "technician"),
    Endpoint(
        "post",
        "/api/planning/plans",
        "manager",
        201,
        lambda w, p: {"start": "2026-11-30", "days": 1, "solver": "greedy"},
        refused="technician",
        outsider=403,
    ),
    Endpoint("post", "/api/planning/plans/{w.dispatch_plan.pk}/accept", "manager", refused="technician"),
    Endpoint("post", "/api/planning/plans/{w.dispatch_plan.pk}/discard", "manager", refused="technician"),
    Endpoint("get", "/api/planning/my-day?day=2026-11-30", "technician", outsider=200),
    # People
    Endpoint("get", "/api/people/teams", "technician", outsider=200),
    Endpoint(
        "post", "/api/people/teams", "manager", 201, lambda w, p: {"name": "Night"}, refused="technician", outsider=403
    ),
    Endpoint("get", "/api/people/skills", "technician", outsider=200),
    Endpoint(
        "post",
        "/api/people/skills",
        "manager",
        201,
        lambda w, p: {"code": "knx", "name": "KNX", "technology": "automation"},
        refused="technician",
        outsider=403,
    ),
    Endpoint("get", "/api/people/habilitation-types", "technician", outsider=200),
    Endpoint(
        "post",
        "/api/people/habilitation-types",
        "manager",
        201,
        lambda w, p: {"code": "ATEX-1", "name": "ATEX level 1"},
        refused="technician",
        outsider=403,
    ),
    Endpoint("delete", "/api/people/habilitation-types/{w.people.free_type.pk}", "manager", 204, refused="technician"),
    Endpoint("get", "/api/people/technicians?expiring=false", "technician", outsider=200),
    Endpoint(
        "post",
        "/api/people/technicians",
        "manager",
        201,
        lambda w, p: {"user": p["other_technician"].pk, "team": w.people.team.pk, "is_trainee": True},
        refused="technician",
        outsider=422,
    ),
    Endpoint("get", "/api/people/technicians/{w.people.profile.pk}", "technician"),
    Endpoint(
        "patch",
        "/api/people/technicians/{w.people.profile.pk}",
        "manager",
        200,
        lambda w, p: {"phone": "06"},
        refused="technician",
    ),
    Endpoint("get", "/api/people/technicians/{w.people.profile.pk}/skills", "technician"),
    Endpoint(
        "post",
        "/api/people/technicians/{w.people.profile.pk}/skills",
        "manager",
        201,
        lambda w, p: {"skill": w.people.skill.pk, "level": 3},
        refused="technician",
    ),
    Endpoint("delete", "/api/people/technician-skills/{w.people.held_skill.pk}", "manager", 204, refused="technician"),
    Endpoint("get", "/api/people/technicians/{w.people.profile.pk}/habilitations", "technician"),
    Endpoint(
        "post",
        "/api/people/technicians/{w.people.profile.pk}/habilitations",
        "manager",
        201,
        lambda w, p: {
            "habilitation_type": w.people.free_type.pk,
            "granted_on": "2026-01-05",
            "expires_on": "2029-01-05",
        },
        refused="technician",
    ),
    Endpoint("delete", "/api/people/habilitations/{w.people.habilitation.pk}", "manager", 204, refused="technician"),
    Endpoint("get", "/api/people/technicians/{w.people.profile.pk}/absences", "technician"),
    Endpoint(
        "post",
        "/api/people/technicians/{w.people.profile.pk}/absences",
        "manager",
        201,
        lambda w, p: {"starts_at": "2026-07-01T08:00:00+02:00", "ends_at": "2026-07-15T18:00:00+02:00"},
        refused="technician",
    ),
    Endpoint("delete", "/api/people/absences/{w.people.absence.pk}", "manager", 204, refused="technician"),
    # Safety: prevention plans and risks of a site
    Endpoint("get", "/api/sites/{w.site.pk}/prevention-plans", "client_a"),
    Endpoint(
        "post",
        "/api/sites/{w.site.pk}/prevention-plans",
        "manager",
        201,
        lambda w, p: {"reference": "PDP-2027", "valid_from": "2027-01-01", "valid_until": "2027-12-31"},
        refused="client_a",
    ),
    Endpoint("get", "/api/prevention-plans/{w.prevention_plan.pk}", "client_a"),
    Endpoint(
        "patch",
        "/api/prevention-plans/{w.prevention_plan.pk}",
        "manager",
        200,
        lambda w, p: {"client_contact": "M. Durand"},
        refused="client_a",
    ),
    Endpoint("delete", "/api/prevention-plans/{w.prevention_plan.pk}", "manager", 204, refused="client_a"),
    Endpoint("get", "/api/sites/{w.site.pk}/risks", "client_a"),
    Endpoint(
        "post",
        "/api/sites/{w.site.pk}/risks",
        "manager",
        201,
        lambda w, p: {"hazard": "Fall from the roof", "severity": 4, "likelihood": 2, "required_habilitation": "B1V"},
        refused="client_a",
    ),
    Endpoint("get", "/api/risks/{w.risk.pk}", "client_a"),
    Endpoint("patch", "/api/risks/{w.risk.pk}", "manager", 200, lambda w, p: {"likelihood": 4}, refused="client_a"),
    Endpoint("delete", "/api/risks/{w.risk.pk}", "manager", 204, refused="client_a"),
    # Safety: lockout steps of a work order
    Endpoint("get", "/api/work-orders/{w.lockout_order.pk}/lockout-steps", "client_a"),
    Endpoint(
        "post",
        "/api/work-orders/{w.lockout_order.pk}/lockout-steps",
        "manager",
        201,
        lambda w, p: {"isolation_point": "Q1 main switch", "energy": "electrical", "action": "Open and lock Q1"},
        refused="technician",
    ),
    Endpoint(
        "patch",
        "/api/work-orders/{w.lockout_order.pk}/lockout-steps/{w.lockout_step.pk}",
        "manager",
        200,
        lambda w, p: {"isolation_point": "Q12 main switch of press P-200"},
        refused="technician",
    ),
    Endpoint(
        "delete",
        "/api/work-orders/{w.lockout_order.pk}/lockout-steps/{w.lockout_step.pk}",
        "manager",
        204,
        refused="technician",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.lockout_order.pk}/lockout-steps/{w.lockout_step.pk}/confirm",
        "technician",
        refused="client_a",
    ),
    Endpoint(
        "post",
        "/api/work-orders/{w.lockout_order.pk}/lockout-steps/{w.locked_step.pk}/release",
        "technician",
        refused="client_a",
    ),
    # Safety: on-call calls
    Endpoint("get", "/api/on-call/calls", "technician", outsider=200),
    Endpoint("post", "/api/on-call/calls/{w.on_call_call.pk}/acknowledge", "technician", refused="manager"),
]
WRITES = [endpoint for endpoint in ENDPOINTS if endpoint.method != "get"]
REFUSED = [endpoint for endpoint in ENDPOINTS if endpoint.refused]

PERSONAS = (
    *("administrator", "manager", "technician", "other_technician", "operator_a", "client_a", "client_b"),
    "training_staff",
)


@pytest.fixture
def personas(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def _request(client: Client, endpoint: Endpoint, world: World, personas: dict[str, Any]) -> Any:
    return call(client, endpoint.method, endpoint.path.format(w=world), endpoint.body(world, personas))


def _route_pattern(path: str) -> str:
    """`/api/sites/{w.site.pk}` and `/api/sites/{site_id}` both become `/api/sites/{}`; a query string is dropped."""
    return re.sub(r"\{[^}]+\}", "{}", path.partition("?")[0])


def test_every_route_is_in_the_table() -> None:
    declared = {
        (method.lower(), _route_pattern("/api" + path))
        for router in (
            assets.router,
            certification.router,
            devices.router,
            people.router,
            planning.router,
            preventive.router,
            reliability.router,
            reports.router,
            safety.router,
            stores.router,
            stores_purchasing.router,
            stores_counts.router,
            stores_repairables.router,
            workorders.router,
        )
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    tested = {(endpoint.method, _route_pattern(endpoint.path)) for endpoint in ENDPOINTS}
    assert declared == tested


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_is_unauthorised(endpoint: Endpoint, world: World, personas: dict[str, Any]) -> None:
    before = snapshot()
    response = _request(Client(), endpoint, world, personas)
    assert response.status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_other_client_sees_nothing_and_changes_nothing(
    endpoint: Endpoint, world: World, personas: dict[str, Any], as_user: Any
) -> None:
    before = snapshot()
    response = _request(as_user(personas["client_b"]), endpoint, world, personas)
    assert response.status_code == endpoint.outsider, response.content
    assert snapshot() == before
    if response.status_code == 200:
        json_body = response["Content-Type"].startswith("application/json")
        text = json.dumps(response.json(), ensure_ascii=False) if json_body else response.content.decode()
        assert world.site.name not in text
        assert world.equipment.code not in text


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_permitted_role_succeeds(endpoint: Endpoint, world: World, personas: dict[str, Any], as_user: Any) -> None:
    before = snapshot()
    response = _request(as_user(personas[endpoint.user]), endpoint, world, personas)
    assert response.status_code == endpoint.status, response.content
    if endpoint.method != "get":
        assert snapshot() != before


@pytest.mark.parametrize("endpoint", REFUSED, ids=str)
def test_refused_role_is_forbidden_and_changes_nothing(
    endpoint: Endpoint, world: World, personas: dict[str, Any], as_user: Any
) -> None:
    assert endpoint.refused is not None
    before = snapshot()
    response = _request(as_user(personas[endpoint.refused]), endpoint, world, personas)
    assert response.status_code == 403, response.content
    assert "detail" in response.json()
    assert snapshot() == before
