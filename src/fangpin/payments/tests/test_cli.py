"""`fangpin payments`: a round from creation to the ledger on the command line, as named users."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangpin.payments import accounts, bankfiles, disbursement
from fangpin.payments.models import DisbursementFile, PaymentRound, RoundNotice


def run(*args) -> str:
    out = io.StringIO()
    call_command("payments", *args, stdout=out)
    return out.getvalue()


def test_a_round_on_the_command_line(world, households, tmp_path):
    h = households["shuangnian"]
    h.contracted_land_mu = Decimal("10.50")
    h.save()
    head = h.members.get(relation="head")
    accounts.set_account(world.clerk, head, kind="one_card", bank="农商行", number="7000000000001", holder=head.name)
    text = run("--user", "county", "create", "--title", "命令行批次", "--document", "sn2022-67", "--benefits",
               "land_fertility_subsidy", "--as-of", "2025-06-30", "--area", "140603203000")
    rnd = PaymentRound.objects.get()
    assert f"第{rnd.pk}批 命令行批次：公示审核中" in text and "703.50元" in text
    assert "已生成1个村的公示表，共1人次" in run("--user", "county", "notices", str(rnd.pk), str(tmp_path / "公示"))
    assert [p.name for p in (tmp_path / "公示").iterdir()] == [f"{rnd.pk}-140603203200.xlsx"]
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        run("--user", "other_county", "notices", str(rnd.pk), str(tmp_path / "x"))
    with pytest.raises(CommandError, match="公示至"):
        run("--user", "township", "act", str(rnd.pk), "--township", "140603203000", "--action", "approve")
    RoundNotice.objects.update(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 7))
    with pytest.raises(CommandError, match="县级可进行的操作：无"):
        run("--user", "county", "act", str(rnd.pk), "--township", "140603203000", "--action", "approve")
    assert "待县级审定" in run("--user", "township", "act", str(rnd.pk), "--township", "140603203000", "--action",
                              "approve")
    assert "已审定" in run("--user", "county", "act", str(rnd.pk), "--township", "140603203000", "--action", "approve")
    assert "农商行 1笔 703.50元" in run("--user", "county", "issue", str(rnd.pk), "--layout", "yikatong")
    f = DisbursementFile.objects.get()
    line, = disbursement.lines_of(f)
    path = tmp_path / "return.txt"
    with path.open("wb") as fh:
        bankfiles.simulate_return(bankfiles.layouts()["yikatong"], [(line, "0000", "")], fh, paid_on=dt.date(2025, 7, 9))
    with pytest.raises(CommandError):
        run("--user", "other_county", "import-return", str(f.pk), str(path))
    assert "成功1笔 703.50元" in run("--user", "county", "import-return", str(f.pk), str(path))
    with pytest.raises(CommandError, match="已"):
        run("--user", "county", "import-return", str(f.pk), str(path))  # the same file twice
    out = tmp_path / "ledger.xlsx"
    assert "已导出1笔" in run("--user", "county", "ledger", str(out), "--year", "2025")
    values = [c for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True) for c in r if c is not None]
    assert "王建国" in values and 703.5 in values
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.CLOSED
    # the audit on the system's own ledger: the paid land subsidy is not missed; a village may not audit
    audit = run("--user", "county", "audit", "--document", "sn2022-67", "--as-of", "2025-06-30", "--area",
                "140603203000")
    assert "发放台账1笔" in audit and "应享未享 耕地地力保护补贴" not in audit
    assert "应享未享 爱心消费券" in audit  # owed to 吴家窑村's monitored member, never paid
    with pytest.raises(CommandError):
        run("--user", "clerk", "audit", "--document", "sn2022-67", "--as-of", "2025-06-30")
