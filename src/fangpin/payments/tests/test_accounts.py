"""收款账户: the number checked by its kind, the holder is the member or a named proxy, one current account, the
writer's area at the moment of writing, and the database's own guards."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangpin.payments import accounts
from fangpin.payments.models import PayeeAccount

CARD = "6217000010001234569"
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def member(households):
    return households["shuangnian"].members.get(relation="head")


def add(user, member, **kw):
    args = {"kind": "bank_card", "bank": "中国农业银行平鲁支行", "number": CARD, "holder": member.name, "since": DAY}
    return accounts.set_account(user, member, **(args | kw))


def test_an_account_of_the_member(world, member):
    a = add(world.clerk, member)
    assert (a.account_number, a.holder, a.until) == (CARD, member.name, None)
    assert a.history.first().history_change_reason == "登记收款账户"


@pytest.mark.parametrize("kw,field,message", [
    ({"number": "6217000010001234567"}, "account_number", "校验位不符"),
    ({"kind": "social_security", "number": "6217000010001234567"}, "account_number", "校验位不符"),
    ({"kind": "one_card", "number": "1234567"}, "account_number", "8至30位"),
    ({"kind": "cash"}, "kind", "请选择账户类型"),
    ({"bank": " "}, "bank", "请填写开户银行"),
    ({"holder": "张代领"}, "holder", "代领须写明"),
    ({"holder": "张代领", "proxy_relation": "儿子"}, "proxy_reason", "代领须写明代领原因"),
    ({"holder": "张代领", "proxy_reason": "外出"}, "proxy_relation", "代领须写明代领人与本人关系"),
    ({"proxy_relation": "儿子", "proxy_reason": "外出"}, "proxy_relation", "户名是本人时不填代领人"),
])
def test_refused_with_the_field_named(world, member, kw, field, message):
    with pytest.raises(ValidationError) as e:
        add(world.clerk, member, **kw)
    assert message in " ".join(e.value.message_dict[field])
    assert not PayeeAccount.objects.exists()


def test_a_passbook_account_has_no_check_digit_and_a_proxy_is_named(world, member):
    a = add(world.clerk, member, kind="one_card", number="1234 5678 90", holder="王小明", proxy_relation="儿子",
            proxy_reason="本人卧床，由儿子代领")
    assert a.account_number == "1234567890" and a.proxy_relation == "儿子"


def test_a_new_account_ends_the_old_the_day_before(world, member):
    first = add(world.clerk, member)
    with pytest.raises(ValidationError, match="应晚于现账户"):
        add(world.clerk, member, number="12345678", kind="one_card", since=DAY)
    second = add(world.clerk, member, number="12345678", kind="one_card", since=DAY + dt.timedelta(days=10))
    first.refresh_from_db()
    assert first.until == DAY + dt.timedelta(days=9) and second.until is None


def test_only_writers_of_the_members_area(world, member, households):
    with pytest.raises(PermissionDenied):
        add(world.clerk2, member)  # 吴家窑村's clerk
    with pytest.raises(PermissionDenied):
        add(world.township, member)  # reads, does not write
    with pytest.raises(PermissionDenied):
        add(world.other_county, member)
    assert not PayeeAccount.objects.exists()
    add(world.county, member)


def test_the_database_refuses_two_current_accounts_and_incomplete_rows(world, member):
    add(world.clerk, member)
    base = {"member": member, "kind": "bank_card", "bank": "银行", "account_number": CARD, "holder": "x",
            "since": DAY, "created_by": world.clerk}
    for kw in ({}, {"until": DAY, "account_number": "1234567"}, {"until": DAY, "holder": ""},
               {"until": DAY, "proxy_relation": "儿子"}, {"until": DAY - dt.timedelta(days=1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PayeeAccount.objects.create(**(base | kw))


def test_the_household_sees_numbers_as_the_role_may(world, member, households):
    add(world.clerk, member)
    shown = accounts.accounts_of(user=world.township, household=households["shuangnian"])
    assert shown[0]["number"] == "6217***********4569"
    assert accounts.accounts_of(user=world.clerk, household=households["shuangnian"])[0]["number"] == CARD


def test_the_household_page_shows_the_accounts_masked_for_a_masked_role(world, member, households):
    from django.test import Client

    add(world.clerk, member)
    c = Client()
    c.force_login(world.township)
    page = c.get(f"/households/{households['shuangnian'].pk}/").content.decode()
    assert "收款账户" in page and "6217***********4569" in page and CARD not in page


def test_the_form_records_an_account_and_names_the_field_of_a_mistake(world, member, households):
    from django.test import Client

    c = Client()
    c.force_login(world.clerk)
    url = f"/households/{households['shuangnian'].pk}/accounts/"
    data = {"member": member.pk, "kind": "bank_card", "bank": "农业银行", "account_number": "6217000010001234567",
            "holder": member.name, "since": "2026-03-01"}
    page = c.post(url, data).content.decode()
    assert "卡号校验位不符" in page and not PayeeAccount.objects.exists()
    r = c.post(url, data | {"account_number": CARD})
    assert r.status_code == 302 and member.payee_accounts.get().account_number == CARD


def test_the_api_records_and_lists_accounts_masked_by_role(world, member, households):
    import json

    from django.test import Client

    url = f"/api/households/{households['shuangnian'].pk}/accounts"
    c = Client()
    c.force_login(world.clerk)
    bad = c.post(url, json.dumps({"member_id": member.pk, "kind": "bank_card", "bank": "农行",
                                  "account_number": "6217000010001234567", "holder": member.name}),
                 content_type="application/json")
    assert bad.status_code == 422 and "校验位" in bad.json()["detail"]["account_number"][0]
    ok = c.post(url, json.dumps({"member_id": member.pk, "kind": "bank_card", "bank": "农行", "account_number": CARD,
                                 "holder": member.name}), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["account_number"] == CARD
    c.force_login(world.leader)
    assert c.get(url).json()[0]["account_number"] == "6217***********4569"


@pytest.fixture
def enterprise(world):
    from fangpin.lib import creditcode
    from fangpin.registry.models import Enterprise

    return Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000031"), name="双碾帮扶车间",
                                     kind="workshop", org_unit_id="140603203200")


def test_an_enterprise_is_paid_into_its_own_corporate_account(world, enterprise):
    with pytest.raises(ValidationError, match="户名应为经营主体名称"):
        accounts.set_enterprise_account(world.clerk, enterprise, bank="农商行", number="27010012345678", holder="张三")
    with pytest.raises(ValidationError) as e:
        accounts.set_enterprise_account(world.clerk, enterprise, bank="", number="123", holder=enterprise.name)
    assert set(e.value.message_dict) == {"bank", "account_number"}
    with pytest.raises(PermissionDenied):
        accounts.set_enterprise_account(world.clerk2, enterprise, bank="农商行", number="27010012345678",
                                        holder=enterprise.name)
    a = accounts.set_enterprise_account(world.clerk, enterprise, bank="农商行", number="2701 0012 3456 78",
                                        holder=enterprise.name, since=DAY)
    assert (a.kind, a.account_number, a.member) == ("corporate", "27010012345678", None)
    assert accounts.enterprise_account(user=world.leader, enterprise=enterprise)["number"] == "**********5678"


def test_the_database_keeps_payees_and_kinds_apart(world, member, enterprise):
    base = {"bank": "银行", "account_number": "27010012345678", "holder": "x", "since": DAY, "created_by": world.clerk}
    for kw in ({"member": member, "enterprise": enterprise, "kind": "one_card"},  # two payees
               {"kind": "one_card"},  # none
               {"enterprise": enterprise, "kind": "bank_card"},  # a person's kind for an enterprise
               {"member": member, "kind": "corporate"},  # a corporate account for a person
               {"enterprise": enterprise, "kind": "corporate", "proxy_relation": "儿子", "proxy_reason": "x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PayeeAccount.objects.create(**(base | kw))
    PayeeAccount.objects.create(**(base | {"enterprise": enterprise, "kind": "corporate"}))
    with pytest.raises(IntegrityError), transaction.atomic():  # one current account per enterprise
        PayeeAccount.objects.create(**(base | {"enterprise": enterprise, "kind": "corporate"}))


def test_the_enterprise_page_shows_and_records_its_account(world, enterprise):
    from django.test import Client

    c = Client()
    c.force_login(world.clerk)
    r = c.post(f"/enterprises/{enterprise.pk}/account/", {"bank": "农商行", "account_number": "27010012345678",
                                                         "holder": enterprise.name, "since": "2026-03-01"})
    assert r.status_code == 302
    page = c.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "对公账户" in page and "27010012345678" in page
