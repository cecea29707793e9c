import pytest
from django.http import Http404

from fangpin.registry import selectors


def numbers(qs):
    return {h.number for h in qs}


def test_search_by_name_id_village_and_category(world, households):
    h = households["shuangnian"]
    head = h.members.get(relation="head")
    assert numbers(selectors.household_list(user=world.county, q="王建国")) == {h.number}
    assert numbers(selectors.household_list(user=world.county, q=h.number)) == {h.number}  # digits: household number too
    assert numbers(selectors.household_list(user=world.county, q=head.id_number)) == {h.number}
    assert numbers(selectors.household_list(user=world.county, q=head.id_number[:10])) >= {h.number}
    assert numbers(selectors.household_list(user=world.county, village="140603203203")) == {households["wujiayao"].number}
    assert numbers(selectors.household_list(user=world.county, category="monitored")) == {households["wujiayao"].number}
    assert selectors.household_list(user=world.county, q="王建国").get().size == 3


def test_name_terms_village_names_and_id_numbers(world, households):
    """Three characters or more: anywhere in a name; one or two: from its start (a surname, a two-character name);
    a village's name finds its households; a whole ID number is exact; the matches are the scoped households only."""
    h = households["shuangnian"]
    assert numbers(selectors.household_list(user=world.county, q="建国")) == set()     # two characters: from the start
    assert numbers(selectors.household_list(user=world.county, q="王建")) == {h.number}
    assert numbers(selectors.household_list(user=world.county, q="王")) >= {h.number}
    assert numbers(selectors.household_list(user=world.county, q="王建国")) == {h.number}
    h.members.filter(relation="head").update(name="欧阳建国")
    assert numbers(selectors.household_list(user=world.county, q="阳建国")) == {h.number}  # three: anywhere
    assert numbers(selectors.household_list(user=world.county, q="双碾村")) >= {h.number}
    assert households["wujiayao"].number not in numbers(selectors.household_list(user=world.county, q="双碾村"))
    other = households["other_township"].members.get().id_number
    assert numbers(selectors.household_list(user=world.clerk, q=other)) == set()  # another township's person


def test_search_never_leaves_the_scope(world, households):
    target = households["longxian"]
    head_id = target.members.get().id_number
    assert not selectors.household_list(user=world.county, q=head_id).exists()
    assert not selectors.household_list(user=world.county, q="刘明").exists()
    with pytest.raises(Http404):
        selectors.household_get(user=world.county, pk=target.pk)


def test_history_lists_household_and_member_changes(world, households):
    from fangpin.registry import services

    h = households["shuangnian"]
    member = h.members.get(relation="head")
    services.member_update(user=world.clerk, member=member, name="王建军")
    records = selectors.household_history(user=world.clerk, household=h)
    assert records[0].name == "王建军" and records[0].history_user == world.clerk


def test_enterprise_pages_show_only_the_viewers_people(world, households):
    import datetime as dt

    from fangpin.lib import creditcode
    from fangpin.registry.models import Employment, Enterprise

    ent = Enterprise.objects.create(credit_code=creditcode.make("610327", "MA0000003"), name="陇县车间",
                                    kind="workshop", org_unit_id=world.longxian_village)
    pinglu_head = households["shuangnian"].members.get(relation="head")
    longxian_head = households["longxian"].members.get()
    for m in (pinglu_head, longxian_head):
        Employment.objects.create(member=m, year=2025, place="in_county", employer=ent, start_date=dt.date(2025, 1, 1),
                                  months=3, monthly_wage=200000)
    assert [e.member for e in selectors.enterprise_people(user=world.clerk, enterprise=ent)["employments"]] == [pinglu_head]
    assert [e.member for e in selectors.enterprise_people(user=world.other_county, enterprise=ent)["employments"]] == [longxian_head]
    listed = selectors.enterprise_list(user=world.clerk).get()
    assert (listed, listed.workers) == (ent, 1)
    assert not selectors.enterprise_list(user=world.clerk2).exists()
    assert not selectors.enterprise_list(user=world.department).exists()
