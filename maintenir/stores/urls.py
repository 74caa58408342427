from django.urls import URLPattern, URLResolver, path

from maintenir.stores import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("parts/", views.part_list, name="part-list"),
    path("parts/add/", views.part_add, name="part-add"),
    path("parts/<int:pk>/", views.part_detail, name="part-detail"),
    path("parts/<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("my-van/", views.my_van, name="my-van"),
    path("stores/import/", views.stores_import, name="stores-import"),
    path("stores/import/progress/<slug:token>/", views.stores_import_progress, name="stores-import-progress"),
]
