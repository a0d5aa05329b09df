from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("elements/<str:code>/", views.element_detail, name="element"),
    path("elements/<str:code>/edit/", views.element_edit, name="element_edit"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("data-sets/<str:code>/", views.data_set_detail, name="data_set"),
    path("data-sets/<str:code>/edit/", views.data_set_edit, name="data_set_edit"),
    path("rules/<str:code>/", views.rule_detail, name="rule"),
    path("rules/<str:code>/edit/", views.rule_edit, name="rule_edit"),
]
