from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maintenir.devices import transfer
from maintenir.devices.models import Point
from maintenir.devices.tests.factories import DeviceFactory, PointFactory

pytestmark = pytest.mark.django_db

POINTS = """name,address,register_type,data_type,word_order,scale,unit,min_value,max_value,writable,brick_class
active_power,0,holding,float32,big,1,kW,0,500,0,Electric_Power_Sensor
energy_index,2,holding,uint32,little,0.1,kWh,,,0,Energy_Sensor
setpoint,10,holding,int16,big,0.1,°C,5,35,1,Temperature_Setpoint
"""


@pytest.fixture
def meter(equipment_a: Any) -> Any:
    return DeviceFactory(equipment=equipment_a)


def test_import_then_export_round_trip(technician: Any, meter: Any) -> None:
    report = transfer.import_points(technician, meter, POINTS)
    assert report.created == 3
    setpoint = Point.objects.get(device=meter, name="setpoint")
    assert (setpoint.scale, setpoint.writable, setpoint.min_value) == (0.1, True, 5.0)
    again = transfer.import_points(technician, meter, transfer.export_points(meter))
    assert (again.created, again.updated) == (0, 3)


def test_bad_rows_name_line_and_column_and_nothing_is_written(technician: Any, meter: Any) -> None:
    bad = POINTS.replace("energy_index,2,", "energy_index,forty,").replace(",5,35,", ",50,35,")
    with pytest.raises(ValidationError) as error:
        transfer.import_points(technician, meter, bad)
    assert set(error.value.message_dict) == {"line 3, column address", "line 4, column max_value"}
    assert not Point.objects.exists()


def test_a_name_twice_is_refused(technician: Any, meter: Any) -> None:
    with pytest.raises(ValidationError) as error:
        transfer.import_points(technician, meter, POINTS + "active_power,20,holding,uint16,big,1,,,,0,\n")
    assert set(error.value.message_dict) == {"line 5, column name"}


def test_existing_points_are_updated_by_name(technician: Any, meter: Any) -> None:
    PointFactory(device=meter, name="active_power", address="100")
    transfer.import_points(technician, meter, POINTS)
    assert Point.objects.get(device=meter, name="active_power").address == "0"


def test_clients_and_other_organisations_may_not_import(client_a: Any, client_b: Any, meter: Any) -> None:
    for user in (client_a, client_b):
        with pytest.raises(PermissionDenied):
            transfer.import_points(user, meter, POINTS)
    assert not Point.objects.exists()


def test_the_display_name_is_the_last_column_and_optional(technician: Any, meter: Any) -> None:
    PointFactory(device=meter, name="active_power", address="100", display_name="Puissance active")
    transfer.import_points(technician, meter, POINTS)  # a list written before the column existed
    assert Point.objects.get(device=meter, name="active_power").display_name == "Puissance active"
    exported = transfer.export_points(meter)
    assert exported.splitlines()[0].endswith(",display_name")
    assert exported.splitlines()[1].endswith(",Puissance active")
    transfer.import_points(technician, meter, exported.replace("Puissance active", "Puissance appelée"))
    assert Point.objects.get(device=meter, name="active_power").display_name == "Puissance appelée"
