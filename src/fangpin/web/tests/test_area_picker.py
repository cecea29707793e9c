"""The household list filters by township, then by its villages: a city's thousands of villages are never one list."""
from django.test import Client

from conftest import SHUANGNIAN_CUN, WUJIAYAO


def page(user, query=""):
    c = Client()
    c.force_login(user)
    r = c.get(f"/households/{query}")
    assert r.status_code == 200
    return r.content.decode()


def test_villages_are_offered_for_the_chosen_township_only(world, households):
    text = page(world.county)
    assert 'name="township"' in text and "双碾乡" in text
    assert f'value="{SHUANGNIAN_CUN}"' not in text and "（先选乡镇）" in text  # no township chosen: no villages
    text = page(world.county, "?township=140603203000")
    assert f'value="{SHUANGNIAN_CUN}"' in text and f'value="{WUJIAYAO}"' in text
    assert world.other_township_village not in text.split('name="village"')[1].split("</select>")[0]
    assert households["shuangnian"].number in text and households["other_township"].number not in text


def test_a_village_link_selects_its_township_and_filters(world, households):
    text = page(world.county, f"?village={WUJIAYAO}")
    assert households["wujiayao"].number in text and households["shuangnian"].number not in text
    assert 'value="140603203000" selected' in text


def test_the_levels_see_what_their_area_holds(world, households):
    text = page(world.township)  # one township: its villages at once
    assert f'value="{SHUANGNIAN_CUN}"' in text
    assert 'name="township"' not in page(world.clerk)  # a village clerk's area is the village


def test_a_malformed_code_finds_nothing_and_is_not_an_error(world, households):
    for bad in ("?village=abc", "?village=12345", "?township=1406032030001"):
        assert "没有符合条件的户" in page(world.county, bad) or households["shuangnian"].number in page(world.county, bad)
