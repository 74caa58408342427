"""`maintenir import parts FILE`: the catalogue from CSV, all or nothing, errors by line and column."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maintenir.stores.models import Part
from maintenir.stores.tests.factories import PartFactory

HEADER = "reference,description,manufacturer,manufacturer_reference,unit,technology,criticality,superseded_by\n"


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "pieces.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_parts_are_created_updated_and_linked_to_their_successor(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    PartFactory(reference="RLT-6205-SKF", description="Old text")
    path = write(
        tmp_path,
        "RLT-6205-SKF,Roulement 6205-2RS,SKF,6205-2RSH,piece,mechanical,high,\n"
        "VER-DNC-32-100,Vérin Ø32 course 100,Festo,DNC-32-100-PPV-A,piece,pneumatic,medium,VER-DSBC-32-100\n"
        "VER-DSBC-32-100,Vérin Ø32 course 100,Festo,DSBC-32-100-PPVA-N3,piece,pneumatic,medium,\n",
    )
    call_command("import", "parts", str(path))
    assert "created: 2, updated: 1, unchanged: 0" in capsys.readouterr().out
    assert Part.objects.get(reference="RLT-6205-SKF").description == "Roulement 6205-2RS"
    assert Part.objects.get(reference="VER-DNC-32-100").superseded_by.reference == "VER-DSBC-32-100"
    call_command("import", "parts", str(path))
    assert "created: 0, updated: 0, unchanged: 3" in capsys.readouterr().out


@pytest.mark.django_db
def test_one_bad_value_imports_nothing_and_names_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "RLT-6205-SKF,Roulement 6205-2RS,SKF,6205-2RSH,piece,mechanical,high,\n"
        "BOB-LXD1B7,Bobine 24 V,Schneider,LXD1B7,bobbin,electrical,medium,\n"
        "VER-DNC-32-100,Vérin Ø32,Festo,DNC-32-100-PPV-A,piece,pneumatic,medium,VER-UNKNOWN\n",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import", "parts", str(path))
    message = str(refused.value)
    assert message.startswith("Nothing was imported:")
    assert "line 3, column unit" in message
    assert "line 4, column superseded_by: No part VER-UNKNOWN." in message
    assert not Part.objects.exists()


@pytest.mark.django_db
def test_an_unknown_column_is_named_on_line_one(tmp_path: Path) -> None:
    path = tmp_path / "pieces.csv"
    path.write_text("reference,description,colour\nX,Y,red\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1, column colour"):
        call_command("import", "parts", str(path))
