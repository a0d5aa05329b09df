from django.urls import include, path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("", include("giamsat.plans.import_urls")),  # import, template, export (import_views.py)
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/baselines/", views.baseline_take, name="baseline_take"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/extension/", views.task_extension_request, name="task_extension_request"),
    path("tasks/<int:pk>/extension/decide/", views.task_extension_decide, name="task_extension_decide"),
    path("tasks/<int:pk>/review/", views.task_review, name="task_review"),
    path("tasks/<int:pk>/comments/", views.task_comment, name="task_comment"),
    path("tasks/<int:pk>/files/<int:file_pk>/", views.attachment_download, name="attachment_download"),
]
