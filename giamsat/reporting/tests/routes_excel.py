"""Excel routes, for the shared scope tests (to be merged into the reporting inventory).

The template and export routes take a unit (`org_unit`) and refuse one outside the user's
data-entry (template) or view (export) scope; without a unit they cover every unit of the
user's scope. The upload reads many units and the one value service refuses those outside
the scope. The errors workbook belongs to the user who uploaded the file.
"""

from giamsat.testing.scoping import RouteInventory, ScopedRoute

from .routes import DATA_SET, PERIOD, report_for


def _with_unit(path: str, extra: str = ""):
    return lambda unit: f"{path}?data_set={DATA_SET}&org_unit={unit.code}&period={PERIOD}{extra}"


ROUTES_EXCEL = RouteInventory(
    scoped=(
        ScopedRoute("excel template of a unit", "/reports/excel/template/", _with_unit("/reports/excel/template/")),
        ScopedRoute("excel export of a unit", "/reports/excel/export/", _with_unit("/reports/excel/export/")),
        ScopedRoute(
            "excel export of a unit as csv",
            "/reports/excel/export/",
            _with_unit("/reports/excel/export/", "&format=csv"),
        ),
        ScopedRoute(
            "excel export of a report",
            "/reports/excel/report/<int:pk>/export/",
            lambda unit: f"/reports/excel/report/{report_for(unit).pk}/export/",
        ),
    ),
    listed=(
        "/reports/excel/",
        "/reports/excel/template/",
        "/reports/excel/upload/",
        "/reports/excel/export/",
    ),
    owned=("/reports/excel/upload/<slug:token>/errors/",),
)
