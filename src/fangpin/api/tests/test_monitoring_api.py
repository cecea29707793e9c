"""Monitoring API: acting on a case with the version seen (409 when stale), a bad department file refused whole."""
import io
import json

from django.test import Client

from fangpin.monitoring.models import Case, FeedUpload


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_act_with_the_version_seen(world, households):
    case = Case.objects.create(kind="enrollment", household=households["shuangnian"], channel="cadre_visit",
                               monitor_type="unstable", risk_causes="因残", opened_by=world.clerk)
    c = client(world.clerk)
    body = {"action": "appraise", "version": 0, "appraisal_date": "2026-01-05", "appraisal_attendance": 18,
            "appraisal_record": "同意"}
    r = c.post(f"/api/monitoring/cases/{case.pk}/act", json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "notice" and r.json()["version"] == 1
    assert [t["action"] for t in r.json()["transitions"]] == ["appraise"]
    r = c.post(f"/api/monitoring/cases/{case.pk}/act", json.dumps({"action": "object", "version": 0, "reason": "x"}),
               content_type="application/json")
    assert r.status_code == 409 and "已被他人处理" in r.json()["detail"]
    r = client(world.county).post(f"/api/monitoring/cases/{case.pk}/act", json.dumps({"action": "approve", "version": 1}),
                                  content_type="application/json")
    assert r.status_code == 403 and "公示中" in r.json()["detail"]


def test_bad_feed_file_lists_problems_and_keeps_nothing(world):
    f = io.BytesIO("身份证号,姓名,结算日期,个人自付金额（元）\n140603198005170011,,2025-03-01,abc\n".encode())
    f.name = "bad.csv"
    r = client(world.department).post("/api/monitoring/feeds", {"feed": "medical_insurance", "file": f})
    assert r.status_code == 400
    assert {(p["row"], p["column"]) for p in r.json()["detail"]} == {(2, "B（姓名）"), (2, "D（个人自付金额（元））")}
    assert not FeedUpload.objects.exists()


def test_area_counts_go_one_level_at_a_time_within_the_area(world, households):
    c = client(world.county)
    top = c.get("/api/monitoring/villages").json()
    assert [r["code"] for r in top if r.get("monitored")] == ["140603203000"]  # 平鲁区's townships: 双碾乡
    below = c.get("/api/monitoring/villages?unit=140603203000").json()
    assert [(r["name"], r["level"], r["monitored"]) for r in below if r.get("monitored")] == [("吴家窑村委会", "village", 1)]
    assert c.get("/api/monitoring/villages?unit=610327000000").status_code == 404  # 陇县: not the county's
    assert c.get("/api/monitoring/villages?unit=oops").status_code == 404


def test_the_warning_list_is_bounded(world, households):
    c = client(world.county)
    assert c.get("/api/monitoring/warnings?limit=1000").status_code == 200
    assert c.get("/api/monitoring/warnings?limit=0").status_code == 200


def test_the_village_withdraws_on_the_page_without_holding_the_townships_case(world, households):
    case = Case.objects.create(kind="enrollment", household=households["shuangnian"], channel="cadre_visit",
                               monitor_type="unstable", risk_causes="因残", opened_by=world.clerk, state="township")
    clerk = client(world.clerk)
    page = clerk.get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert "撤回报送，重新评议" in page
    case.refresh_from_db()
    assert case.locked_by is None  # looking at it did not take it from the township
    r = clerk.post(f"/monitoring/cases/{case.pk}/", {"action": "withdraw", "version": 0, "reason": "漏报务工收入"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "village" and case.transitions.get().reason == "漏报务工收入"
    r = client(world.clerk).get(f"/api/monitoring/cases/{case.pk}")
    assert r.status_code == 200 and "withdraw" not in r.json()["allowed_actions"]


def test_a_township_reviewer_hands_a_case_to_a_colleague_on_the_page(world, households):
    from conftest import make_user

    mate = make_user("township2", "township_reviewer", world.township.org_unit_id)
    case = Case.objects.create(kind="enrollment", household=households["shuangnian"], channel="cadre_visit",
                               monitor_type="unstable", risk_causes="因残", opened_by=world.clerk, state="township")
    reviewer = client(world.township)
    page = reviewer.get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert 'id="hand-over"' in page and f'value="{mate.pk}"' in page
    case.refresh_from_db()  # the page claimed it: the version stays
    r = reviewer.post(f"/monitoring/cases/{case.pk}/", {"action": "hand_over", "version": case.version,
                                                        "colleague": mate.pk, "reason": "下乡驻村一周"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.assignee == mate and case.locked_by is None
    page = reviewer.get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert "经办人" in page and "下乡驻村一周" in page and 'id="hand-over"' not in page
    page = client(mate).get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert 'id="hand-over"' in page  # the colleague may hand it on
    r = reviewer.post(f"/monitoring/cases/{case.pk}/", {"action": "approve", "version": case.version})
    case.refresh_from_db()
    assert case.state == "township"  # only the assignee acts now
