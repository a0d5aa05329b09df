from django.urls import include, path

app_name = "projects"
urlpatterns = [
    path("", include("giamsat.projects.import_urls")),  # import, template, export (import_views.py)
]
