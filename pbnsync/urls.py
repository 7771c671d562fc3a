from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "pbnsync — integration staff"
admin.site.site_title = "pbnsync admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("writeback.urls")),
    path("", include("writeback.page_urls")),
    path("", include("syncjobs.status_urls")),
    path("", include("records.urls")),
    path("", include("practices.urls")),
]
