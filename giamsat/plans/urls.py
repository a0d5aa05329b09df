"""Plans pages, under /plans/."""

from django.urls import include, path

app_name = "plans"
urlpatterns = [
    path("", include("giamsat.plans.import_urls")),
]
