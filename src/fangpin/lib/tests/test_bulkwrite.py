"""Set-based inserts: what bulk_create + bulk_create_with_history would leave, and the constraints still judge."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household, new_id
from fangpin.lib import bulkwrite
from fangpin.lib import idnumber
from fangpin.registry.models import Household, Member


def test_rows_get_the_model_defaults_keys_from_the_sequence_and_one_history_row_each(world):
    before = make_household(SHUANGNIAN_CUN, "1406032032009001")
    ids = bulkwrite.insert_with_history(Household, [
        {"number": "1406032032009002", "village_id": SHUANGNIAN_CUN, "category": "lifted"},
        {"number": "1406032032009003", "village_id": WUJIAYAO, "category": "monitored", "monitor_type": "marginal",
         "risk_eliminated_on": dt.date(2024, 5, 1)},
    ], user=world.county, reason="导入 测试.xlsx")
    assert len(ids) == 2 and min(ids) > before.pk
    a, b = Household.objects.get(pk=ids[0]), Household.objects.get(pk=ids[1])
    assert (a.number, a.dibao, a.contracted_land_mu, a.address) == ("1406032032009002", False, 0, "")
    assert (b.village_id, b.monitor_type, b.risk_eliminated_on) == (WUJIAYAO, "marginal", dt.date(2024, 5, 1))
    history = list(Household.history.filter(id__in=ids).order_by("id"))
    assert [(h.id, h.history_type, h.history_user_id, h.history_change_reason) for h in history] == [
        (ids[0], "+", world.county.pk, "导入 测试.xlsx"), (ids[1], "+", world.county.pk, "导入 测试.xlsx")]
    assert history[1].risk_eliminated_on == dt.date(2024, 5, 1) and history[1].number == "1406032032009003"


def test_keys_of_deleted_rows_are_not_given_again(world):
    h = make_household(SHUANGNIAN_CUN, "1406032032009011")
    top = h.pk
    h.members.all().delete()
    h.delete()
    [again] = bulkwrite.insert_with_history(Household, [{"number": "1406032032009012", "village_id": SHUANGNIAN_CUN,
                                                         "category": "lifted"}], user=world.county, reason="r")
    assert again > top  # history rows name the old key: giving it again would join two households' histories


def test_a_broken_constraint_is_an_integrity_error_and_nothing_of_the_batch_stays(world):
    h = make_household(SHUANGNIAN_CUN, "1406032032009021")  # has a head
    second = new_id()
    info = idnumber.parse(second)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkwrite.insert_with_history(Member, [{
            "household_id": h.pk, "id_number": second, "name": "第二户主", "relation": "head", "sex": info.sex,
            "birth_date": info.birth_date, "labor_capacity": "laborer"}], user=world.county, reason="r")
    assert not Member.objects.filter(id_number=second).exists()
    assert not Member.history.filter(id_number=second).exists()


def test_an_unknown_column_is_refused_before_anything_is_written(world):
    with pytest.raises(ValueError):
        bulkwrite.insert_with_history(Household, [{"number": "X", "village": SHUANGNIAN_CUN}], user=None, reason="r")
    assert not Household.objects.filter(number="X").exists()


@pytest.mark.parametrize("n", [0, 1, 2500])
def test_any_of_finds_exactly_the_listed_keys(world, n):
    a = make_household(SHUANGNIAN_CUN, "1406032032009031")
    make_household(SHUANGNIAN_CUN, "1406032032009032")
    keys = [a.number] + [f"N{i}" for i in range(n)] if n else []
    found = set(Household.objects.filter(number__any_of=keys).values_list("number", flat=True))
    assert found == ({a.number} if n else set())
    assert set(Member.objects.filter(household_id__any_of=[a.pk]).values_list("household_id", flat=True)) == {a.pk}


@pytest.mark.django_db
def test_statistics_after_a_large_write_on_sqlite():
    from django.db import connection

    from fangpin.lib import bulkwrite

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum analyzes changed tables")

    def stats() -> int:
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not c.fetchone()[0]:
                return 0
            c.execute("SELECT count(*) FROM sqlite_stat1")
            return c.fetchone()[0]

    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS sqlite_stat1") if stats() else None
    bulkwrite.refresh_statistics(bulkwrite.STATISTICS_AFTER_ROWS - 1)
    assert stats() == 0
    bulkwrite.refresh_statistics(bulkwrite.STATISTICS_AFTER_ROWS)
    assert stats() > 0


@pytest.mark.django_db
def test_analyze_gives_the_planner_the_rows_just_written():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite: refresh_statistics)")
    for i in range(30):
        make_household(SHUANGNIAN_CUN, f"14060320320091{i:02d}")

    def estimated() -> float:
        with connection.cursor() as c:
            c.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_household'")
            return c.fetchone()[0]

    bulkwrite.analyze(Household)
    assert estimated() >= 30


def _frame_of_households(numbers, village=SHUANGNIAN_CUN):
    import polars as pl

    return pl.DataFrame({"number": numbers, "village_id": [village] * len(numbers),
                         "category": ["lifted"] * len(numbers), "address": ["二组，\"老\"宅\n东院"] * len(numbers)})


def test_insert_frame_writes_every_batch_with_the_model_defaults(world, monkeypatch):
    monkeypatch.setattr(bulkwrite, "FRAME_BATCH", 2)  # five rows: three batches through the COPY's writer
    numbers = [f"140603203200{i:04d}" for i in range(9101, 9106)]
    assert bulkwrite.insert_frame(Household, _frame_of_households(numbers)) == 5
    got = list(Household.objects.filter(number__in=numbers).order_by("number").values_list(
        "number", "address", "dibao", "contracted_land_mu"))
    assert got == [(n, "二组，\"老\"宅\n东院", False, 0) for n in numbers]  # quotes, commas, newlines survive the CSV


def test_insert_frame_refuses_a_broken_constraint_and_leaves_nothing(world, monkeypatch):
    monkeypatch.setattr(bulkwrite, "FRAME_BATCH", 2)
    make_household(SHUANGNIAN_CUN, "1406032032009201")
    numbers = ["1406032032009202", "1406032032009203", "1406032032009201"]  # the last one is taken
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkwrite.insert_frame(Household, _frame_of_households(numbers))
    assert not Household.objects.filter(number__in=numbers[:2]).exists()
