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


def test_id_number_prefix_is_a_range_with_exact_edges(world, households):
    """The start of an ID number finds exactly the IDs that start with it: a prefix ending in 9 carries over (the ID
    just above it is left out), an ID ending in X is in."""
    import datetime as dt

    from conftest import make_household

    from fangpin.lib import idnumber
    from fangpin.registry.models import Member

    def with_id(number, id_number):
        h = make_household("140603203200", number)
        Member.objects.filter(household=h).update(id_number=id_number)
        return h

    ending_x = next(i for i in (idnumber.make("140603", dt.date(1975, 3, 19), s) for s in range(1, 999)) if i[-1] == "X")
    inside = with_id("P1", ending_x)                                              # 14060319750319…X
    above = with_id("P2", idnumber.make("140603", dt.date(1975, 3, 20), 1))     # 14060319750320…
    below = with_id("P3", idnumber.make("140603", dt.date(1975, 3, 18), 1))     # 14060319750318…
    mine = {inside.number, above.number, below.number}  # the search is city-wide: only these three are judged

    def found(q):
        return numbers(selectors.household_list(user=world.county, q=q)) & mine

    assert found("14060319750319") == {inside.number}  # ends in 9: the upper bound is …320, which is left out
    assert found("1406031975032") == {above.number}
    assert found(ending_x) == {inside.number}  # a whole ID: exact


def test_id_number_prefix_search_uses_the_index(world, households):
    from django.db import connection

    from fangpin.registry.models import Member

    qs = Member.objects.filter(selectors.access.subtree("id_number", "140603198")).values_list("household_id")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(r[-1]) for r in c.fetchall())
            assert "SEARCH" in plan and "INDEX" in plan, plan  # a seek (SCAN … INDEX would read it all)
        else:
            c.execute("SET enable_seqscan = off")
            c.execute("EXPLAIN " + sql, params)
            plan = " ".join(r[0] for r in c.fetchall())
            assert "Index" in plan, plan


def test_name_index_finds_what_a_scan_finds_and_follows_changes(world, households):
    """Three characters or more: the index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) gives exactly the members a
    scan gives, after inserts, renames and deletes, and a quote in the term is only a character."""
    from conftest import make_household

    from fangpin.registry.models import Member

    def by_index(q):
        return set(Member.objects.filter(selectors._name_contains(q)).values_list("pk", flat=True))

    def by_scan(q):
        return set(Member.objects.filter(name__contains=q).values_list("pk", flat=True))

    h = make_household("140603203200", "N1", members=3, head_name="欧阳建国")
    m = h.members.get(relation="head")
    terms = ["阳建国", "欧阳建", "建国家", "国家1", "王建国", '阳"建', "xyz"]
    for q in terms:
        assert by_index(q) == by_scan(q), q
    assert m.pk in by_index("阳建国")
    Member.objects.filter(pk=m.pk).update(name='司马"光明')
    assert m.pk not in by_index("阳建国") and by_index('马"光') == {m.pk} == by_scan('马"光')
    Member.objects.filter(pk=m.pk).delete()
    assert by_index("司马光") == set() and by_index('马"光') == set()


def test_name_search_reads_the_index_on_sqlite(world, households):
    from django.db import connection

    from fangpin.registry.models import Member

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's pg_trgm plan is in docs/benchmarks.md")
    sql, params = Member.objects.filter(selectors._name_contains("阳建国")).values_list("household_id").query.sql_with_params()
    with connection.cursor() as c:
        c.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(r[-1]) for r in c.fetchall())
    assert "VIRTUAL TABLE" in plan and "SCAN registry_member " not in plan + " ", plan
