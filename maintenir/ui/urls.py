from django.urls import include, path

urlpatterns = [
    path("", include("maintenir.assets.urls")),
    path("", include("maintenir.workorders.urls")),
]
