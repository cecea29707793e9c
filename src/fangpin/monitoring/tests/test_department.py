"""Uploads (who, when, hash, rows), the screening job (progress, problems, idempotent), the village's verification."""
import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangpin.monitoring import department, screening, synthetic
from fangpin.monitoring.feeds import FEEDS, FeedError
from fangpin.monitoring.models import Case, FeedUpload, MatchProblem, ScreeningRun, Warning


@pytest.fixture(autouse=True)
def feeds_dir(settings, tmp_path):
    settings.FEEDS_DIR = tmp_path / "feeds"


def registry_persons():
    return department.persons_in("140603")


def write_files(tmp_path, rows):
    """Each feed's rows as a department file, rotating over the three formats."""
    return {key: synthetic.write_file(rows, key, tmp_path / f"{key}.{('csv', 'xlsx', 'parquet')[i % 3]}")
            for i, key in enumerate(FEEDS)}


@pytest.fixture
def population(world):
    from conftest import make_household

    for i in range(40):
        make_household("140603203200", f"14060320320090{i:02d}", members=1 + i % 4, head_name=f"户主{i}")


def test_upload_keeps_who_when_hash_and_rows(world, tmp_path):
    p = tmp_path / "med.csv"
    p.write_text("身份证号,姓名,结算日期,个人自付金额（元）\n140603198005170011,王一,2025-03-01,12\n", encoding="utf-8")
    up = department.upload(world.department, "medical_insurance", p, "医保2025.csv")
    assert (up.uploaded_by, up.region_id, up.row_count, up.filename, len(up.sha256)) == (
        world.department, "140603000000", 1, "医保2025.csv", 64)
    assert (up.period_from, up.period_to) == (dt.date(2025, 3, 1), dt.date(2025, 3, 1))
    with pytest.raises(ValidationError, match="无需重复上传"):
        department.upload(world.department, "medical_insurance", p, "again.csv")
    with pytest.raises(PermissionDenied, match="本部门"):
        department.upload(world.department, "education", p, "edu.csv")  # 医保's officer
    for user in (world.clerk, world.township, world.leader):
        with pytest.raises(PermissionDenied):
            department.upload(user, "medical_insurance", p, "x.csv")


def test_bad_file_writes_nothing(world, tmp_path):
    p = tmp_path / "med.csv"
    p.write_text("身份证号,姓名,结算日期,个人自付金额（元）\n140603198005170011,王一,昨天,12\n", encoding="utf-8")
    with pytest.raises(FeedError):
        department.upload(world.county, "medical_insurance", p, "med.csv")
    assert not FeedUpload.objects.exists()


def upload_all(world, tmp_path, rows):
    return [department.upload(world.county, key, path, path.name)
            for key, path in write_files(tmp_path, rows).items()]


def test_screening_job_finds_every_planted_risk_once(world, population, tmp_path, django_capture_on_commit_callbacks):
    persons = registry_persons()
    feed = synthetic.generate(persons, year=2025, seed=5, plant_every=2, noise=27)
    upload_all(world, tmp_path, feed.rows)
    with django_capture_on_commit_callbacks(execute=True):
        run = department.start_screening(world.county)
    run.refresh_from_db()
    assert (run.status, run.progress, run.step) == ("done", 100, "完成")
    assert run.uploads.count() == len(FEEDS)
    got = set(Warning.objects.values_list("household_id", "rule", "period", "subject"))
    assert got == feed.expected and run.warnings_new == len(feed.expected)
    assert {k: run.counts[k] for k in feed.noise} == feed.noise
    assert MatchProblem.objects.filter(run=run).count() == sum(feed.noise.values())
    w = Warning.objects.first()
    assert w.deadline == timezone.localdate() + dt.timedelta(days=screening.RULES.rule(w.rule).days)
    assert w.sources and all(len(s) == 2 for s in w.sources)
    # The same data again: no new warnings.
    with django_capture_on_commit_callbacks(execute=True):
        again = department.start_screening(world.county)
    again.refresh_from_db()
    assert (again.warnings_new, again.warnings_known) == (0, len(feed.expected))
    assert Warning.objects.count() == len(feed.expected)


def test_screening_covers_only_the_area(world, population, tmp_path, django_capture_on_commit_callbacks):
    persons = registry_persons()
    feed = synthetic.generate(persons, year=2025, seed=6, plant_every=3, noise=0)
    upload_all(world, tmp_path, feed.rows)
    with pytest.raises(ValidationError, match="还没有部门数据"):
        department.start_screening(world.other_county)  # 陇县 sees no 平鲁区 files
    for user in (world.clerk, world.township, world.department, world.leader):
        with pytest.raises(PermissionDenied):
            department.start_screening(user)


def test_a_failed_job_says_why(world, population, tmp_path, django_capture_on_commit_callbacks):
    up = upload_all(world, tmp_path, synthetic.generate(registry_persons(), year=2025, noise=0).rows)[0]
    (tmp_path / "feeds" / up.parquet_name).unlink()
    with django_capture_on_commit_callbacks(execute=True):
        department.start_screening(world.county)  # the job re-raises; the task backend keeps it as failed
    run = ScreeningRun.objects.get()
    assert run.status == "failed" and run.error.startswith("比对失败")


def make_warning(household, rule="school_dropout"):
    return Warning.objects.create(household=household, rule=rule, label="辍学", period="2025-09-01", risk="education",
                                  reason="王小于2025-09-01学籍状态为辍学", source_count=1, deadline=dt.date(2026, 12, 1))


def test_confirmed_warning_opens_a_case_on_the_warning_channel(world, households):
    w = make_warning(households["shuangnian"])
    with pytest.raises(ValidationError, match="核实情况"):
        department.verify(world.clerk, w, at_risk=True, note=" ", monitor_type="unstable")
    for user in (world.township, world.county, world.clerk2):
        with pytest.raises(PermissionDenied):
            department.verify(user, w, at_risk=True, note="入户", monitor_type="unstable")
    w = department.verify(world.clerk, w, at_risk=True, note="入户核实，孩子确已辍学，家庭困难", monitor_type="unstable")
    assert w.status == "confirmed" and w.case.channel == "department_warning" and w.case.state == "village"
    assert w.case.risk_causes == w.reason
    with pytest.raises(ValidationError, match="已于"):
        department.verify(world.clerk, w, at_risk=False, note="again")
    second = make_warning(households["shuangnian"], rule="job_lost")
    second = department.verify(world.clerk, second, at_risk=True, note="同一户")
    assert second.case == w.case and Case.objects.count() == 1


def test_dismissed_warning_is_closed_with_its_reason(world, households):
    w = department.verify(world.clerk, make_warning(households["shuangnian"]), at_risk=False, note="已复学")
    assert (w.status, w.note, w.case) == ("dismissed", "已复学", None)
    assert w.history.first().history_user == world.clerk


def test_rows_of_uploads_round_trip(world, population, tmp_path):
    feed = synthetic.generate(registry_persons(), year=2025, seed=7, noise=0)
    ups = upload_all(world, tmp_path, feed.rows)
    back = department.rows_of(ups)
    assert back.height == feed.rows.height
    cols = ["feed", "id_number", "name", "date", "code", "amount"]
    assert back.select(cols).sort(cols).equals(feed.rows.select(cols).sort(cols))
    assert set(back["upload_id"]) == {u.pk for u in ups if u.row_count}  # a feed may have no row in the sample
    assert isinstance(back, pl.DataFrame)


def _csv(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("身份证号,姓名,变动日期,学籍状态\n" + "".join(f"{i},{n},{d},{c}\n" for i, n, d, c in rows),
                    encoding="utf-8")
    return path


def test_monthly_increments_replace_their_month_and_never_count_twice(world, households, tmp_path):
    """A full extract, then March sent as an increment and sent again corrected: the screening reads each month from
    its newest file."""
    head = households["shuangnian"].members.get(relation="head")
    me = (head.id_number, head.name)
    full = department.upload(world.county, "education", _csv(tmp_path, "full.csv", [
        (*me, "2026-02-10", "在读"), (*me, "2026-03-05", "辍学")]), "full.csv")
    march = department.upload(world.county, "education", _csv(tmp_path, "m1.csv", [
        (*me, "2026-03-05", "辍学"), (*me, "2026-03-20", "休学")]), "m1.csv", month=dt.date(2026, 3, 1))
    march2 = department.upload(world.county, "education", _csv(tmp_path, "m2.csv", [
        (*me, "2026-03-06", "辍学")]), "m2.csv", month=dt.date(2026, 3, 1))
    april = department.upload(world.county, "education", _csv(tmp_path, "m3.csv", [
        (*me, "2026-04-02", "在读")]), "m3.csv", month=dt.date(2026, 4, 1))
    assert (full.extract_label, march.extract_label) == ("全量", "2026年03月增量")
    in_force = department.uploads_in_force(world.county)
    assert [u.pk for u in in_force] == [april.pk, march2.pk, full.pk]  # the first March file is replaced
    rows = department.rows_of(in_force).sort("date")
    assert [(str(d), c) for d, c in zip(rows["date"], rows["code"], strict=True)] == [
        ("2026-02-10", "enrolled"), ("2026-03-06", "dropout"), ("2026-04-02", "enrolled")]
    # A newer full extract covers everything before it.
    newer = department.upload(world.county, "education", _csv(tmp_path, "full2.csv", [
        (*me, "2026-02-10", "在读"), (*me, "2026-04-02", "在读")]), "full2.csv")
    assert [u.pk for u in department.uploads_in_force(world.county)] == [newer.pk]


def test_an_increment_holds_only_its_month(world, households, tmp_path):
    head = households["shuangnian"].members.get(relation="head")
    path = _csv(tmp_path, "m.csv", [(head.id_number, head.name, "2026-03-31", "辍学"),
                                    (head.id_number, head.name, "2026-04-01", "辍学")])
    with pytest.raises(FeedError) as e:
        department.upload(world.county, "education", path, "m.csv", month=dt.date(2026, 3, 1))
    assert [p.row for p in e.value.problems] == [3] and "2026年03月" in e.value.problems[0].message
    assert not FeedUpload.objects.exists()
    with pytest.raises(ValidationError, match="数据月份"):
        department.upload(world.county, "education", path, "m.csv", month=dt.date(2026, 3, 2))
