from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("acknowledge/", views.alerts_acknowledge, name="acknowledge_many"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.alert_act, {"action": "acknowledge"}, name="acknowledge"),
    path("<int:pk>/resolve/", views.alert_act, {"action": "resolve"}, name="resolve"),
    path("<int:pk>/comments/", views.alert_act, {"action": "comment"}, name="comment"),
    path("silences/", views.silence_list, name="silences"),
    path("silences/<int:pk>/end/", views.silence_end, name="silence_end"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
]
