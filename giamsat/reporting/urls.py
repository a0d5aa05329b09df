from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_report, name="open"),
    path("audit/", views.audit, name="audit"),
    path("audit/csv/", views.audit_csv, name="audit_csv"),
    path("completeness/", views.completeness, name="completeness"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/values/<str:code>/", views.value_save, name="value"),
    path("<int:pk>/values/<str:code>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/values/<str:code>/no-figure/", views.no_figure_mark, name="no_figure_mark"),
    path("<int:pk>/values/<str:code>/no-figure/remove/", views.no_figure_unmark, name="no_figure_unmark"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.return_report, name="return"),
]
