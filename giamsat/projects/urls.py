from django.urls import include, path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("map/", views.map_data, name="map_data"),
    path("rules/", views.rules, name="rules"),
    path("new/", views.project_create, name="create"),
    # Before the project's own routes: the import, the template and the exports (import_urls.py).
    path("", include("giamsat.projects.import_urls")),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.project_edit, name="edit"),
    path("<str:code>/budget/", views.budget_set, name="budget_set"),
    path("<str:code>/transactions/", views.transaction_add, name="transaction_add"),
    path("<str:code>/progress/", views.progress_report, name="progress_report"),
    path("<str:code>/packages/", views.package_save, name="package_save"),
    path("<str:code>/milestones/", views.milestone_add, name="milestone_add"),
    path("<str:code>/milestones/report/", views.milestone_report, name="milestone_report"),
    path("<str:code>/baselines/", views.baseline_freeze, name="baseline_freeze"),
]
