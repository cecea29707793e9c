"""Exports never turn user text into formulas: a name typed as "=HYPERLINK(...)" stays text in every workbook."""
import zipfile

from fangpin.lib import listing


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = tmp_path / "x.xlsx"
    columns = [listing.Column("name", "姓名", lambda r: r)]
    listing.write_xlsx(path, title="t", filters=[], columns=columns, rows=['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)"])
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cells
    import openpyxl

    values = [c for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for c in r if c]
    assert '=HYPERLINK("http://x","y")' in values and "+1" in values
