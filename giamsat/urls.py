from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", include("giamsat.portal.urls")),
    path("", include("giamsat.core.urls")),
    path("accounts/", include("giamsat.accounts.urls")),
    path("units/", include("giamsat.orgunits.urls")),
    path("reports/excel/", include("giamsat.reporting.excel_urls")),
    path("reports/", include("giamsat.reporting.urls")),
    path("catalog/", include("giamsat.catalog.urls")),
    path("evaluation/", include("giamsat.evaluation.urls")),
    path("jobs/", include("giamsat.jobs.urls")),
    path("alerts/", include("giamsat.alerts.urls")),
    path("notifications/", include("giamsat.notifications.urls")),
    path("documents/", include("giamsat.documents.urls")),
    path("plans/", include("giamsat.plans.urls")),
    path("projects/", include("giamsat.projects.urls")),
    path("api/", include("giamsat.api.urls")),
    path("api-docs/", RedirectView.as_view(url="/api/v1/docs"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "giamsat.core.views.error_400"
handler403 = "giamsat.core.views.error_403"
handler404 = "giamsat.core.views.error_404"
handler500 = "giamsat.core.views.error_500"

admin.site.site_header = "GiamSat"
admin.site.site_title = "GiamSat"
admin.site.index_title = "Quản trị hệ thống" if settings.LANGUAGE_CODE == "vi" else "Administration"
