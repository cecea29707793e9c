"""Property: any valid document, with values at the edges of each type, comes back unchanged from import then export."""
import datetime as dt
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHUANGNIAN_CUN, WUJIAYAO
from fangpin.exchange import exporter, importer
from fangpin.lib import idnumber
from fangpin.registry.models import Household

CATEGORY = st.sampled_from([("lifted", None), ("ordinary", None), ("monitored", "unstable"), ("monitored", "marginal"),
                            ("monitored", "sudden_hardship")])
MU = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False).map(lambda d: f"{d:.2f}")
FEN = st.integers(min_value=0, max_value=10**13)
TEXT = st.text(alphabet="一二三四五六七八九十组号村东西南北 -#0123456789", max_size=40).map(str.strip)


@st.composite
def documents(draw):
    n = draw(st.integers(1, 3))
    births = draw(st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)), min_size=n * 4, max_size=n * 4))
    households, members, incomes = [], [], []
    for i in range(n):
        number = f"P{i:03d}"
        category, monitor_type = draw(CATEGORY)
        lifted_ok = category == "lifted" or monitor_type in ("unstable", "sudden_hardship")
        households.append({
            "household_number": number, "village_code": draw(st.sampled_from([SHUANGNIAN_CUN, WUJIAYAO])),
            "category": category, "monitor_type": monitor_type,
            # 风险消除日期: a monitored household's, on or before today (a new household may bring it)
            "risk_eliminated_on": draw(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date.today()).map(
                dt.date.isoformat))) if category == "monitored" else None,
            "lifted_year": draw(st.one_of(st.none(), st.integers(2013, dt.date.today().year))) if lifted_ok else None,
            "dibao": draw(st.booleans()), "address": draw(TEXT), "phone": draw(st.sampled_from(["", "13800000000"])),
            "contracted_land_mu": draw(MU), "grain_area_mu": draw(MU), "courtyard_economy": draw(st.booleans()),
            "industry_project": draw(st.booleans()),
        })
        for j in range(draw(st.integers(1, 4))):
            birth = births[i * 4 + j]
            # the sequence numbers differ within a document, so IDs are unique whatever the birth dates
            id_number = idnumber.make("140603", birth, draw(st.integers(0, 80)) * 12 + i * 4 + j)
            derived = {}
            if draw(st.booleans()):  # the optional columns, when given, must agree with the ID number
                info = idnumber.parse(id_number)
                derived = {"sex": info.sex, "birth_date": info.birth_date.isoformat()}
            members.append({
                **derived,
                "household_number": number, "id_number": id_number, "name": draw(st.sampled_from(["王一", "李秀英", "欧阳明"])),
                "relation": "head" if j == 0 else draw(st.sampled_from(["spouse", "child", "parent", "grandchild", "sibling", "other"])),
                "labor_capacity": draw(st.sampled_from(["laborer", "half", "weak", "none"])),
                "disability_grade": draw(st.one_of(st.none(), st.integers(1, 4))), "tekun": draw(st.booleans()),
                "school_stage": draw(st.sampled_from(["none", "primary", "college"])),
                "training_willing": draw(st.booleans()), "serious_illness": draw(st.booleans()), "phone": "",
            })
        for year in draw(st.lists(st.integers(2000, 2100), max_size=2, unique=True)):
            incomes.append({"household_number": number, "year": year, "wage": draw(FEN), "business_income": draw(FEN),
                            "business_cost": draw(FEN), "property_income": draw(FEN), "transfer_income": draw(FEN)})
    return {"households": households, "members": members, "incomes": incomes}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(doc=documents())
def test_import_then_export_gives_the_document_back(world, tmp_path, doc):
    Household.objects.all().delete()
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "fangpin-exchange", "version": "1.0", **doc}, ensure_ascii=False), encoding="utf-8")
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, [(p.where(), p.message) for p in result.problems]
    buf = io.StringIO()
    exporter.write_json(world.county, buf)
    out = json.loads(buf.getvalue())
    assert out["households"] == sorted(doc["households"], key=lambda h: h["household_number"])
    expected_members = []
    for m in sorted(doc["members"], key=lambda m: m["household_number"]):  # stable: file order kept
        info = idnumber.parse(m["id_number"])
        expected_members.append({**m, "sex": info.sex, "birth_date": info.birth_date.isoformat()})
    assert out["members"] == expected_members
    assert out["incomes"] == sorted(doc["incomes"], key=lambda r: (r["household_number"], r["year"]))
