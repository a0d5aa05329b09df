from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("elements/new/", views.element_new, name="element_new"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("indicators/<str:code>/targets/new/", views.target_edit, name="target_new"),
    path("indicators/<str:code>/targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("elements/<str:code>/", views.element_detail, name="element"),
    path("elements/<str:code>/edit/", views.element_edit, name="element_edit"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("data-sets/<str:code>/", views.data_set_detail, name="data_set"),
    path("data-sets/<str:code>/edit/", views.data_set_edit, name="data_set_edit"),
    path("data-sets/<str:code>/members/", views.data_set_member_add, name="data_set_member_add"),
    path(
        "data-sets/<str:code>/members/<str:element>/remove/",
        views.data_set_member_remove,
        name="data_set_member_remove",
    ),
    path("data-sets/<str:code>/assignments/", views.data_set_assignment_add, name="data_set_assignment_add"),
    path(
        "data-sets/<str:code>/assignments/<int:pk>/end/", views.data_set_assignment_end, name="data_set_assignment_end"
    ),
    path("rules/<str:code>/", views.rule_detail, name="rule"),
    path("rules/<str:code>/edit/", views.rule_edit, name="rule_edit"),
]
