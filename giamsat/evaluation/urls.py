from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "evaluation"
urlpatterns = [
    # The section's own address leads to its main page.
    path("", RedirectView.as_view(pattern_name="evaluation:ranking"), name="index"),
    path("units/<str:code>/", views.unit_scorecard, name="unit_scorecard"),
    path("units/<str:code>/structures/", views.unit_structures, name="unit_structures"),
    path("rankings/", views.ranking, name="ranking"),
    path("recompute/", views.recompute, name="recompute"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<str:code>/trend/", views.indicator_trend, name="indicator_trend"),
    path("indicators/<str:code>/export/<str:fmt>/", views.indicator_export, name="indicator_export"),
    path(
        "explain/<str:indicator_code>/<str:unit_code>/<str:period_code>/",
        views.explain,
        name="explain",
    ),
]
