"""One app, two ledgers: both are discovered after the funds ledger (assets name its projects, stations name assets),
each with its own checks and demo function."""
from fangpin.assets import demo
from fangpin.ledgers import catalog, checks


def test_both_ledgers_are_discovered_in_order_with_their_own_checks_and_demo():
    keys = list(catalog.LEDGERS)
    assert keys.index("funds") < keys.index("assets") < keys.index("pv")
    assert {c.id for c in checks.checks_of("pv")} == {"pv_village_share", "pv_village_use", "pv_village_use_2020"}
    assert "asset_custody" in {c.id for c in checks.checks_of("assets")}
    assert [getattr(demo, f"build_{k}") for k in ("assets", "pv")] == [demo.build_assets, demo.build_pv]
    sheets = [s.key for k in catalog.LEDGERS for s in catalog.LEDGERS[k].catalog.sheets]
    assert len(sheets) == len(set(sheets))  # sheet keys are unique across the exchange format
