"""The SQLite name index during bulk writes: an import's members are found by the index exactly as by a scan, the
insert trigger is switched back on after every batch (also when the batch fails), and off SQLite nothing changes."""
import pytest
from django.db import connection, transaction

from conftest import new_id
from fangpin.exchange import importer
from fangpin.exchange.tests.helpers import household, member, workbook
from fangpin.lib import idnumber
from fangpin.registry import name_index, selectors
from fangpin.registry.models import Household, Member


def by_index(q):
    return set(Member.objects.filter(selectors._name_contains(q)).values_list("pk", flat=True))


def by_scan(q):
    return set(Member.objects.filter(name__contains=q).values_list("pk", flat=True))


def person(h, name):
    id_number = new_id()
    info = idnumber.parse(id_number)
    return Member.objects.create(household=h, id_number=id_number, name=name, relation="child", sex=info.sex,
                                 birth_date=info.birth_date)


def switch():
    with connection.cursor() as c:
        c.execute(f"SELECT paused FROM {name_index.SWITCH}")
        return [r[0] for r in c.fetchall()]


@pytest.fixture
def sqlite_index():
    if connection.vendor != "sqlite" or not name_index.available(connection.alias):
        pytest.skip("the trigram index with its switch is SQLite's (PostgreSQL: pg_trgm, kept by the server)")


def test_imported_members_are_found_by_the_index_and_the_trigger_is_back_on(world, tmp_path, sqlite_index):
    names = ["欧阳建国", "欧阳秀兰", "司马光明", "诸葛小亮"]
    sheets = {"households": [household("H1"), household("H2")],
              "members": [member("H1", new_id(), names[0]), member("H1", new_id(), names[1], "配偶"),
                          member("H2", new_id(), names[2]), member("H2", new_id(), names[3], "子女")]}
    result = importer.import_file(user=world.county, path=workbook(tmp_path / "in.xlsx", sheets))
    assert result.ok, result.problems
    for q in ["欧阳建", "阳秀兰", "司马光", "葛小亮", "欧阳秀兰", "建国x"]:  # _name_contains: 3 or more
        assert by_index(q) == by_scan(q), q
    assert len(by_index("欧阳建")) == 1
    assert switch() == [0]
    # a member added one by one afterwards is indexed by the trigger again
    h = Household.objects.get(number="H1")
    m = person(h, "上官婉儿")
    assert by_index("上官婉") == {m.pk}


def test_a_failed_batch_leaves_the_switch_on_and_no_names_behind(world, households, sqlite_index):
    h = Household.objects.first()
    with pytest.raises(RuntimeError), transaction.atomic():
        with name_index.bulk_insert(Member) as add:
            assert switch() == [1]
            m = person(h, "东方不败")
            assert by_index("东方不") == set()  # the trigger is off inside the batch
            add([m.pk], [m.name])
            assert by_index("东方不") == {m.pk}
            raise RuntimeError("the batch fails")
    assert switch() == [0] and by_index("东方不") == set() == by_scan("东方不")


def test_the_switch_is_refused_outside_a_transaction(transactional_db, sqlite_index):
    with pytest.raises(RuntimeError, match="transaction"), name_index.bulk_insert(Member):
        pass


def test_other_models_and_other_databases_switch_nothing(world, households):
    with transaction.atomic(), name_index.bulk_insert(Household) as add:
        assert add([1], ["x"]) is None
    if connection.vendor == "sqlite" and name_index.available(connection.alias):
        assert switch() == [0]
