"""The text indexes search reads: the same answers as comparing the texts themselves, on both databases,
kept in step with every way rows are written, and used by the query planner."""

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from maintenir.assets.models import Site
from maintenir.assets.tests.factories import SiteFactory
from maintenir.core.search import filter_text, normalise
from maintenir.core.text_indexes import repair_sqlite_indexes
from maintenir.workorders.filtersets import WorkOrderFilterSet
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="runs in the SQLite pass: PostgreSQL's index needs no triggers")
postgresql_only = pytest.mark.skipif(
    ON_SQLITE, reason="runs in the PostgreSQL pass of the suite: the plan is PostgreSQL's planner's"
)

NAMES = [
    "Vérin de bridage",
    "VÉRIN PNEUMATIQUE",
    "Électrovanne d'arrosage",
    "Cœur de pompe",
    "Coeur de réseau",
    "Façade Nord",
    "Pompe à chaleur",
    "Électropompe immergée",
    "Store motorisé — salle Rhône",
    'Armoire "TGBT" 50%',
]
TYPED = [
    "verin",
    "VÉRIN",
    "vérin pneu",
    "electro",
    "POMP",
    "coeur",
    "cœur",
    "FACADE",
    "rhone",
    "—",
    '"tgbt"',
    "50%",
    "zz",
]


def reference(name: str, typed: str) -> bool:
    """What search means: every word of `typed` somewhere in `name`, accents and case aside."""
    return all((normalise(word) or "") in (normalise(name) or "") for word in typed.split())


@pytest.mark.parametrize("typed", TYPED)
def test_the_index_finds_what_comparing_the_texts_finds(typed: str) -> None:
    sites = {str(SiteFactory(name=name).name) for name in NAMES}
    found = {site.name for site in filter_text(Site.objects.all(), ("name",), typed)}
    assert found == {name for name in sites if reference(name, typed)}


LETTERS = "aàâäeéèêëioôöuùüçœæAÀÉÈÇŒ -'\"*:()^{}%_"


@hypothesis_settings(max_examples=60, deadline=None)
@given(typed=st.text(alphabet=LETTERS, max_size=12))
def test_any_typed_text_is_searched_without_error_and_as_the_texts_compare(typed: str) -> None:
    # Quotes, stars, colons, brackets: FTS5's query syntax, which must read them as plain characters.
    Site.objects.all().delete()
    for name in ("Vérin d'œuvre", 'Pompe "à" chaleur', "Façade: nord (bis)*"):
        SiteFactory(name=name)
    found = {site.name for site in filter_text(Site.objects.all(), ("name",), typed)}
    assert found == {site.name for site in Site.objects.all() if reference(site.name, typed)}


@given(typed=st.text(max_size=100))
@hypothesis_settings(max_examples=50, deadline=None)
def test_arbitrary_text_never_fails(typed: str) -> None:
    assert filter_text(Site.objects.all(), ("name", "code", "city"), typed).count() >= 0


def indexed(word: str) -> set[int]:
    """The ids the SQLite index itself holds for `word` in a site's name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM assets_site_search WHERE assets_site_search MATCH %s", [f'name : "{word}"'])
        return {rowid for (rowid,) in cursor.fetchall()}


@sqlite_only
def test_the_sqlite_index_follows_every_way_of_writing_rows() -> None:
    site: Any = SiteFactory(name="Chaufferie")
    assert indexed("chauf") == {site.pk}
    site.name = "Sous-station"
    site.save()
    assert indexed("chauf") == set()
    assert indexed("station") == {site.pk}
    Site.objects.filter(pk=site.pk).update(name="Local pompes")
    assert indexed("station") == set()
    assert indexed("pompe") == {site.pk}
    bulk = Site.objects.bulk_create([SiteFactory.build(organisation=site.organisation, name="Pompe de relevage")])
    assert indexed("pompe") == {site.pk, bulk[0].pk}
    site.delete()
    assert indexed("pompe") == {bulk[0].pk}
    Site.objects.all().delete()
    assert indexed("pompe") == set()


@sqlite_only
def test_an_sqlite_table_remade_by_a_migration_gets_its_triggers_back() -> None:
    site: Any = SiteFactory(name="Chaufferie")
    # What remaking a table does to it: its triggers go with the old table.
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER assets_site_search_{event}")
    other: Any = SiteFactory(name="Chaufferie nord")
    repair_sqlite_indexes(connection)
    assert indexed("chauf") == {site.pk, other.pk}
    site.delete()
    assert indexed("chauf") == {other.pk}


@postgresql_only
def test_the_order_search_reads_the_trigram_index() -> None:
    WorkOrderFactory(title="Vérin de bridage")
    # Copies of that order, enough that reading the whole table costs more than the index.
    columns = [field.attname for field in WorkOrder._meta.concrete_fields if not field.primary_key]
    copied = ", ".join("'Ordre ' || n" if column == "title" else column for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO workorders_workorder ({', '.join(columns)}) "
            f"SELECT {copied} FROM workorders_workorder, generate_series(1, 20000) AS n"
        )
        cursor.execute("ANALYZE workorders_workorder")
    for typed in ("verin", "bridage ordre"):
        queryset = WorkOrderFilterSet({"q": typed}, queryset=WorkOrder.objects.all()).qs[:50]
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row for (row,) in cursor.fetchall())
        assert "workorders_workorder_search" in plan, plan
        assert "Seq Scan on workorders_workorder" not in plan, plan
    assert [order.title for order in WorkOrderFilterSet({"q": "VERIN"}, queryset=WorkOrder.objects.all()).qs] == [
        "Vérin de bridage"
    ]
