"""XLSForm (ODK, KoboToolbox) in and out: plain data conversion, no database, no Flask.

``import_xlsform(path)`` reads a form into our definition with a report of what was not
represented; ``export_xlsform(definition, path)`` writes ours as an XLSForm that pyxform
converts. openpyxl, xlrd and pyxform are imported only where they are used.
"""
from .reader import Issue, XLSFormError, read_workbook
from .to_ours import ImportResult, convert_workbook, import_xlsform

__all__ = ["Issue", "XLSFormError", "read_workbook", "ImportResult", "convert_workbook",
           "import_xlsform", "export_xlsform", "workbook_rows"]


def __getattr__(name):
    if name in ("export_xlsform", "workbook_rows"):
        from . import from_ours
        return getattr(from_ours, name)
    raise AttributeError(name)
