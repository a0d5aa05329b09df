from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/refresh/", views.document_refresh, name="refresh"),
    path("<int:pk>/issue/", views.document_issue, name="issue"),
    path("<int:pk>/download/<str:fmt>/", views.document_download, name="download"),
]
