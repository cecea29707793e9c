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
