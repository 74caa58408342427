from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from maintenir.core.csvio import FORMULA_STARTS, CsvErrors, neutralise, read_csv, restore, write_csv

# Text as imports keep it: a plain cell loses its surrounding spaces, a neutralised one nothing.
hostile = st.tuples(st.sampled_from(["", "'", "''"]), st.sampled_from(FORMULA_STARTS), st.text()).map("".join)
texts = st.one_of(st.text().map(str.strip), hostile)


def round_trip(values: list[str]) -> tuple[str, list[str]]:
    text = write_csv(["value"], iter({"value": value} for value in values))
    errors = CsvErrors()
    rows = read_csv(text, ["value"], {"value"}, errors)
    return text, [row["value"] for _line, row in rows]


@given(st.lists(texts, min_size=1, max_size=5))
def test_any_text_survives_export_then_import(values: list[str]) -> None:
    assert round_trip(values)[1] == values


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@given(st.one_of(texts, st.floats(allow_nan=False).map(str), st.decimals(allow_nan=False).map(str)))
def test_no_exported_text_cell_starts_like_a_formula(value: str) -> None:
    cell = neutralise(value)
    assert restore(cell) == value
    assert not cell.startswith(FORMULA_STARTS) or is_number(cell)


def test_hostile_cells_get_a_quote_and_numbers_stay_numbers() -> None:
    text, back = round_trip(["=cmd|' /C calc'!A0", '+HYPERLINK("http://x")', "@SUM(A1)", "\t=1", "-", "'=x"])
    assert text.splitlines()[1:4] == ["'=cmd|' /C calc'!A0", '"\'+HYPERLINK(""http://x"")"', "'@SUM(A1)"]
    assert back == ["=cmd|' /C calc'!A0", '+HYPERLINK("http://x")', "@SUM(A1)", "\t=1", "-", "'=x"]
    assert [neutralise(value) for value in (-2.5, Decimal("-0.1"), -3, "-2.5", "+1e3", None)] == [
        "-2.5",
        "-0.1",
        "-3",
        "-2.5",
        "+1e3",
        "",
    ]
    assert [neutralise(value) for value in ("-2.5 kW", "-inf", "- 1")] == ["'-2.5 kW", "'-inf", "'- 1"]
    assert [neutralise(value) for value in ("'-2.5", "'" * 5000 + "=1")] == ["'-2.5", "'" * 5001 + "=1"]
