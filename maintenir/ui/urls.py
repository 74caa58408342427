from django.contrib.auth import views as auth_views
from django.urls import include, path

from maintenir.ui import account, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("login/code/", account.login_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", account.two_factor, name="account-two-factor"),
    path("search/", views.search, name="search"),
    path("", include("maintenir.assets.urls")),
    path("", include("maintenir.certification.urls")),
    path("", include("maintenir.devices.urls")),
    path("", include("maintenir.stores.urls")),
    path("", include("maintenir.workorders.urls")),
    path("", include("maintenir.preventive.urls")),
    path("", include("maintenir.planning.urls")),
    path("", include("maintenir.people.urls")),
    path("", include("maintenir.reliability.urls")),
    path("", include("maintenir.reports.urls")),
    path("", include("maintenir.people.safety_urls")),
]
