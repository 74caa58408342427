from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("maintenir.api.urls")),
    path("", include("maintenir.ui.urls")),
]

handler404 = "maintenir.api.main.page_not_found"
