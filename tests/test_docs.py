"""The docs name what the code has."""
from pathlib import Path

from fangpin.exchange.spec import SHEETS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_exchange_doc_column_tables_are_current():
    from fangpin.exchange.docs import BEGIN, END, columns_markdown

    text = (DOCS / "exchange-format.md").read_text(encoding="utf-8")
    assert f"{BEGIN}\n\n{columns_markdown()}\n{END}" in text, "run `fangpin exchange_files`"
    for sheet in SHEETS:
        assert f"### {sheet.key} — 工作表“{sheet.title}”" in text
        for f in sheet.fields:
            assert f"| `{f.key}` | {f.excel_header} |" in text, (sheet.key, f.key)


def test_exchange_doc_limits_are_current():
    from fangpin.exchange.docs import LIMITS_BEGIN, LIMITS_END, limits_markdown

    text = (DOCS / "exchange-format.md").read_text(encoding="utf-8")
    assert f"{LIMITS_BEGIN}\n\n{limits_markdown()}\n{LIMITS_END}" in text, "run `fangpin exchange_files`"
    assert limits_markdown() in (DOCS / "department-feeds.md").read_text(encoding="utf-8")


def test_readme_gives_the_two_commands():
    text = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_department_feed_formats_are_current():
    from fangpin.monitoring.feeds import feeds_markdown

    assert (DOCS / "department-feeds.md").read_text(encoding="utf-8") == feeds_markdown(), "run `fangpin exchange_files`"


def test_every_reading_in_the_coverage_document_names_a_test_that_exists():
    """docs/policy-coverage.md names the test beside each reading; a renamed or deleted test fails here."""
    import re

    text = (DOCS / "policy-coverage.md").read_text(encoding="utf-8")
    tests = DOCS.parent / "src" / "fangpin" / "policies" / "tests"
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", text)
    assert len(named) >= 40
    for file, name in named:
        source = (tests / file).read_text(encoding="utf-8") if (tests / file).exists() else ""
        assert re.search(rf"^def {name}\(", source, re.M), f"{file}::{name} named in policy-coverage.md does not exist"
    readings = text.split("## 歧义与选择")[1]
    for row in readings.splitlines():
        if row.startswith("| ") and not row.startswith("| 条") and not row.startswith("|---"):
            assert "::test_" in row, f"a reading without its test: {row[:60]}"
    for row in text.splitlines():  # every implemented benefit names its test too
        if "**已实现**" in row and row.startswith("| "):
            assert "::test_" in row, f"an implemented clause without its test: {row[:60]}"


def test_ledger_doc_column_tables_are_current():
    from fangpin.exchange.docs import LEDGERS_BEGIN, LEDGERS_END, ledger_columns_markdown
    from fangpin.ledgers.catalog import LEDGERS

    text = (DOCS / "ledgers.md").read_text(encoding="utf-8")
    assert f"{LEDGERS_BEGIN}\n\n{ledger_columns_markdown()}\n{LEDGERS_END}" in text, "run `fangpin exchange_files`"
    for ledger in LEDGERS.values():
        assert f"（`{ledger.key}`）" in text
        for sheet in ledger.catalog.sheets:
            assert f"### {sheet.key} — 工作表“{sheet.title}”" in text
