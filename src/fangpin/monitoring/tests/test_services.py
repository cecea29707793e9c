"""Income accounting over the registry: scope, stored results, band changes listed, who may set lines."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fangpin.monitoring import services
from fangpin.monitoring.models import IncomeAccount
from fangpin.registry.models import IncomeRecord


def test_recompute_stores_results_and_lists_band_changes(world, households):
    services.set_line(None, region_prefix="14", year=2025, line_yuan=Decimal(7000), reason="省里2025年标准")
    h = households["shuangnian"]  # three persons
    IncomeRecord.objects.create(household=h, year=2025, wage=2_000_000)  # 6,666.67 a person: below
    first = services.recompute(world.county, 2025)
    numbers = {c.household_number: (c.before, c.after) for c in first}
    assert numbers[h.number] == (None, "below")
    assert numbers[households["wujiayao"].number] == (None, "unknown")          # no income record
    assert households["longxian"].number not in numbers                         # outside 平鲁区
    assert services.recompute(world.county, 2025) == []                         # nothing changed
    IncomeRecord.objects.filter(household=h).update(wage=2_500_000)
    again = services.recompute(world.county, 2025)
    assert [(c.household_number, c.before, c.after) for c in again] == [(h.number, "below", "edge")]
    account = IncomeAccount.objects.get(household=h, year=2025)
    assert (account.per_capita, account.line, account.band) == (833333, 700000, "edge")
    assert account.history.count() == 2


def test_a_county_line_overrides_the_province(world, households):
    services.set_line(None, region_prefix="14", year=2025, line_yuan=Decimal(7000), reason="省")
    services.set_line(world.county, region_prefix="140603", year=2025, line_yuan=Decimal(8500), reason="区里提高")
    IncomeRecord.objects.create(household=households["shuangnian"], year=2025, wage=2_400_000)  # 8,000 a person
    services.recompute(world.county, 2025)
    account = IncomeAccount.objects.get(household=households["shuangnian"], year=2025)
    assert (account.line, account.band) == (850000, "below")


@pytest.mark.parametrize("who,prefix", [("clerk", "140603"), ("township", "140603"), ("other_county", "140603"),
                                        ("county", "14"), ("county", "610327")])
def test_who_may_set_a_county_line(world, who, prefix):
    with pytest.raises(PermissionDenied):
        services.set_line(world.users()[who], region_prefix=prefix, year=2025, line_yuan=Decimal(7000), reason="x")


@pytest.mark.parametrize("kwargs", [{"line_yuan": Decimal(0)}, {"line_yuan": Decimal("7000.001")},
                                    {"edge_factor": Decimal("0.9")}, {"sharp_fall": Decimal(1)}, {"reason": " "}])
def test_bad_lines_are_refused(world, kwargs):
    args = {"region_prefix": "140603", "year": 2025, "line_yuan": Decimal(7000), "reason": "x", **kwargs}
    with pytest.raises(ValidationError):
        services.set_line(world.county, **args)


def test_only_county_bureaus_recompute(world):
    for who in ("clerk", "township", "leader", "department"):
        with pytest.raises(PermissionDenied):
            services.recompute(world.users()[who], 2025)


def test_commands(world, households, capsys):
    call_command("monitoring_line", "--region", "14", "--year", "2025", "--line", "7000", "--reason", "省里文件")
    IncomeRecord.objects.create(household=households["shuangnian"], year=2025, wage=100)
    call_command("income_accounting", "--year", "2025", "--user", "county")
    out = capsys.readouterr().out
    assert "2025年核算完成" in out and f"{households['shuangnian'].number}（140603203200）：首次核算 → 低于监测标准" in out
