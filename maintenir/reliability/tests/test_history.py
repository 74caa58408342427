"""`maintenir import history`: the Azure PdM layout imported all or nothing, then the KPIs of the
imported history cross-checked against an independent pandas computation."""

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from maintenir.assets.models import Equipment
from maintenir.reliability.choices import GroupBy
from maintenir.reliability.history import equipment_code, import_history
from maintenir.reliability.models import EquipmentEvent
from maintenir.reliability.services import Period, kpis
from maintenir.workorders.choices import DowntimeCause, WorkOrderType
from maintenir.workorders.models import Downtime, PartUsage, WorkOrder

EXCERPT = Path(__file__).parent / "data" / "pdm"
REPAIR_HOURS = 8.0
YEAR_2015 = Period(
    datetime.datetime(2015, 1, 1, tzinfo=datetime.UTC), datetime.datetime(2016, 1, 1, tzinfo=datetime.UTC)
)


@pytest.fixture
def pdm(tmp_path: Path) -> Path:
    """A copy of the excerpt that a test may spoil."""
    return Path(shutil.copytree(EXCERPT, tmp_path / "pdm"))


@pytest.mark.django_db
def test_the_command_imports_the_history_with_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    out = StringIO()
    call_command("import", "history", str(EXCERPT), "--site", "plant", stdout=out)

    assert out.getvalue().strip() == "equipment: 4, failures: 16, preventive: 9, events: 14"
    assert "[" + "#" * 30 + "] 100%" in capsys.readouterr().err
    machine = Equipment.objects.get(code=equipment_code(3))
    assert (machine.model, machine.equipment_type.name, machine.installation_date) == (
        "model3",
        "model3",
        datetime.date(2007, 1, 1),
    )
    assert machine.site.code == "plant"
    failure = WorkOrder.objects.filter(equipment=machine, work_type=WorkOrderType.CORRECTIVE).earliest("created")
    assert failure.created == datetime.datetime(2015, 1, 7, 6, tzinfo=datetime.UTC)
    assert failure.failure_mode.code == "PDM-COMP2"
    downtime = failure.downtimes.get()
    assert (downtime.cause, downtime.duration_hours) == (DowntimeCause.FAILURE, REPAIR_HOURS)
    # The replacement made at the failure is its repair, not a preventive order.
    assert list(PartUsage.objects.filter(work_order=failure).values_list("description", flat=True)) == ["comp2"]
    preventive = WorkOrder.objects.filter(equipment=machine, work_type=WorkOrderType.PREVENTIVE_SYSTEMATIC)
    assert preventive.count() == 11 - 2
    assert EquipmentEvent.objects.count() == 14


@pytest.mark.django_db
def test_imported_kpis_match_an_independent_pandas_computation() -> None:
    import_history(EXCERPT, "azure", "plant", repair_hours=REPAIR_HOURS)

    figures = {row.label.split(" — ")[0]: row for row in kpis(Equipment.objects.all(), YEAR_2015, GroupBy.EQUIPMENT)}
    expected = _pandas_reference(EXCERPT, YEAR_2015)

    assert set(figures) == {equipment_code(machine) for machine in (1, 2, 3, 4)}
    for machine, row in expected.iterrows():
        mine = figures[equipment_code(int(machine))]
        assert mine.failures == row["failures"]
        assert mine.downtime_hours == pytest.approx(row["downtime"])
        assert mine.mtbf == pytest.approx(row["mtbf"])
        assert mine.mttr == pytest.approx(row["mttr"])
    # Two failures of machine 2 in the same hour: one stop of 8 hours, not two.
    assert figures["M002"].downtime_hours == 3 * REPAIR_HOURS
    never_failed = figures["M004"]
    assert (never_failed.failures, never_failed.mtbf, never_failed.availability) == (0, None, 1.0)


def _pandas_reference(directory: Path, period: Period) -> pd.DataFrame:
    """Failures, downtime (the union of each machine's repair intervals), MTBF and MTTR per machine."""
    failures = pd.read_csv(directory / "PdM_failures.csv", parse_dates=["datetime"])
    failures["start"] = failures["datetime"].dt.tz_localize("UTC")
    failures["end"] = failures["start"] + pd.Timedelta(hours=REPAIR_HOURS)
    inside = failures[(failures["start"] >= period.start) & (failures["start"] < period.end)].sort_values(
        ["machineID", "start"]
    )
    inside = inside.assign(start=inside["start"].clip(lower=period.start), end=inside["end"].clip(upper=period.end))
    covered = inside.groupby("machineID")["end"].transform(lambda ends: ends.cummax().shift())
    begin = inside["start"].where(covered.isna() | (inside["start"] > covered), covered)
    inside["hours"] = ((inside["end"] - begin).dt.total_seconds() / 3600).clip(lower=0)
    per_machine = inside.groupby("machineID").agg(failures=("hours", "size"), downtime=("hours", "sum"))
    per_machine["mtbf"] = (period.hours - per_machine["downtime"]) / per_machine["failures"]
    per_machine["mttr"] = per_machine["downtime"] / per_machine["failures"]
    return per_machine


@pytest.mark.django_db
def test_errors_name_the_file_line_and_column_and_nothing_is_written(pdm: Path) -> None:
    failures = (pdm / "PdM_failures.csv").read_text().splitlines()
    failures[2] = "2015-13-06T06:00:00,1,comp1"
    failures[4] = "2015-06-19T06:00:00.000000,9,comp4"
    (pdm / "PdM_failures.csv").write_text("\n".join(failures) + "\n")
    (pdm / "PdM_machines.csv").write_text("machineID,model,age\n1,model3,18\n2,model4,seven\n3,model3,8\n")

    with pytest.raises(ValidationError) as raised:
        import_history(pdm, "azure", "plant")

    assert raised.value.message_dict == {
        "PdM_machines.csv, line 3, column age": ["Write a whole number."],
        "PdM_failures.csv, line 3, column datetime": ["Write a date and time such as 2015-01-05T06:00:00."],
        "PdM_failures.csv, line 5, column machineID": ["No machine 9 in PdM_machines.csv."],
        "PdM_failures.csv, line 9, column machineID": ["No machine 2 in PdM_machines.csv."],
        "PdM_failures.csv, line 10, column machineID": ["No machine 2 in PdM_machines.csv."],
        "PdM_failures.csv, line 11, column machineID": ["No machine 2 in PdM_machines.csv."],
        "PdM_failures.csv, line 12, column machineID": ["No machine 2 in PdM_machines.csv."],
    }
    assert not Equipment.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_or_column_is_reported_and_the_import_is_all_or_nothing(pdm: Path) -> None:
    (pdm / "PdM_errors.csv").unlink()
    maint = (pdm / "PdM_maint.csv").read_text().replace("datetime,machineID,comp", "datetime,machineID,component")
    (pdm / "PdM_maint.csv").write_text(maint)

    with pytest.raises(CommandError) as raised:
        call_command("import", "history", str(pdm), stdout=StringIO())

    message = str(raised.value)
    assert message.startswith("Nothing was imported:")
    assert "PdM_errors.csv: This file is missing" in message
    assert "PdM_maint.csv, line 1, column comp: This column is missing." in message
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_a_history_imported_twice_is_refused_without_writing(pdm: Path) -> None:
    import_history(pdm, "azure", "plant")
    before = (WorkOrder.objects.count(), Downtime.objects.count())

    with pytest.raises(ValidationError, match="imported before"):
        import_history(pdm, "azure", "plant")

    assert (WorkOrder.objects.count(), Downtime.objects.count()) == before
