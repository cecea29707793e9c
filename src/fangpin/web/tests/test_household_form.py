"""The household form offers only what it may save: never 监测户 (the procedure decides it), and a monitored
household's category and type are shown, not editable."""
from django.test import Client



def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_new_household_form_does_not_offer_monitored(world):
    page = client_for(world.clerk).get("/households/new/").content.decode()
    assert '<option value="lifted"' in page and '<option value="monitored"' not in page
    assert 'name="monitor_type"' not in page and "发起识别纳入" in page


def test_a_lifted_household_cannot_be_made_monitored_by_the_form(world, households):
    h = households["shuangnian"]
    c = client_for(world.clerk)
    page = c.get(f"/households/{h.pk}/edit/").content.decode()
    assert '<option value="monitored"' not in page
    r = c.post(f"/households/{h.pk}/edit/", {"category": "monitored", "monitor_type": "marginal", "dibao": ""})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    h.refresh_from_db()
    assert h.category == "lifted"


def test_a_monitored_households_category_is_shown_not_editable(world, households):
    h = households["wujiayao"]  # monitored, marginal
    c = client_for(world.clerk2)
    page = c.get(f"/households/{h.pk}/edit/").content.decode()
    assert 'name="category"' in page and "disabled" in page.split('name="category"')[1].split(">")[0] + \
        page.split('name="category"')[0].rsplit("<", 1)[1]
    r = c.post(f"/households/{h.pk}/edit/", {"category": "ordinary", "monitor_type": "", "address": "新地址", "contracted_land_mu": "0", "grain_area_mu": "0"})
    assert r.status_code == 302, r.context["form"].errors
    h.refresh_from_db()
    assert (h.category, h.monitor_type, h.address) == ("monitored", "marginal", "新地址")
