from django.urls import URLPattern, URLResolver, path

from maintenir.stores import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("parts/", views.part_list, name="part-list"),
    path("parts/<int:pk>/", views.part_detail, name="part-detail"),
    path("my-van/", views.my_van, name="my-van"),
]
