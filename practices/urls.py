from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("practices/switch/", views.switch_practice, name="switch_practice"),
    path("practices/<int:practice_id>/", views.practice_detail, name="practice"),
    path(
        "practices/<int:practice_id>/settings/",
        views.practice_settings,
        name="practice_settings",
    ),
]
