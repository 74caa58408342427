from django.urls import URLPattern, URLResolver, path

from maintenir.workorders import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("requests/", views.workrequest_list, name="workrequest-list"),
    path("requests/add/", views.workrequest_add, name="workrequest-add"),
    path("orders/", views.workorder_list, name="workorder-list"),
]
