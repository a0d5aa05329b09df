from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("units/<str:code>/", views.unit_scorecard, name="unit_scorecard"),
    path("rankings/", views.ranking, name="ranking"),
    path("recompute/", views.recompute, name="recompute"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path(
        "explain/<str:indicator_code>/<str:unit_code>/<str:period_code>/",
        views.explain,
        name="explain",
    ),
]
