"""The posts ledger's pages: its checks for the area, year and date asked; its sheets' lists (people by name and ID
number as the role may see it); a post's entry with its holders and history."""
import datetime as dt

import pytest
from django.test import Client

from conftest import SHUANGNIAN_CUN, make_household
from fangpin.employment.models import Post, PostHolder

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(world):
    member = make_household(SHUANGNIAN_CUN, "1406032032000201", head_name="王建国").members.get()
    post = Post.objects.create(code="PL-GY-1", village_id=SHUANGNIAN_CUN, name="保洁员", kind="village",
                               funding="pv_income", monthly_wage=60_000, created_on=dt.date(2024, 3, 1))
    PostHolder.objects.create(post=post, member=member, started_on=dt.date(2024, 3, 1))
    return post


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_ledger_page_judges_the_villages_on_the_date_asked(world, post):
    page = _client(world.township).get("/ledgers/posts/?year=2025&on=2025-05-01").content.decode()
    assert "双碾村委会：截至2025-05-01，村级公益岗位上的脱贫户、监测户、残疾人家庭劳动力（人）1，村级公益岗位总数（个）1" in page
    assert "达标" in page and "未到期" in page  # the share judged; 只增不减 waits for 31 December
    assert "查询日期不低于50%" in page


def test_the_lists_show_places_and_people_by_name(world, post):
    county = _client(world.county).get("/ledgers/posts/employment_post_holders/").content.decode()
    holder = post.holders.get().member
    assert f"王建国（{holder.id_number}）" in county and "保洁员（PL-GY-1）" in county
    township = _client(world.township).get("/ledgers/posts/employment_post_holders/").content.decode()
    assert holder.id_number not in township and "王建国（1406" in township
    posts = _client(world.clerk).get("/ledgers/posts/employment_posts/").content.decode()
    assert "双碾村" in posts and "村级公益岗位（光伏收益等集体收入）" in posts and SHUANGNIAN_CUN not in posts
    assert _client(world.clerk2).get("/ledgers/posts/employment_posts/").content.decode().count("PL-GY-1") == 0


def test_a_sheet_without_a_year_has_no_year_filter(world, post):
    page = _client(world.county).get("/ledgers/posts/employment_post_holders/?year=2025")
    assert page.status_code == 200 and 'name="year"' not in page.content.decode()
    rows = _client(world.county).get("/api/ledgers/posts/employment_post_holders?year=2025").json()
    assert [r["post_code"] for r in rows] == ["PL-GY-1"]


def test_a_posts_entry_shows_its_holders_and_history(world, post):
    page = _client(world.clerk).get(f"/ledgers/posts/employment_posts/{post.pk}/").content.decode()
    assert "在岗人员" in page and "王建国" in page and "2024-03-01" in page
    assert _client(world.clerk2).get(f"/ledgers/posts/employment_posts/{post.pk}/").status_code == 404
