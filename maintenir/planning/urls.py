from django.urls import URLPattern, URLResolver, path

from maintenir.planning import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("planning/", views.plan_list, name="planning-plans"),
    path("planning/plans/<int:pk>/", views.plan_detail, name="dispatchplan-detail"),
    path("planning/plans/<int:pk>/<str:decision>/", views.plan_decide, name="dispatchplan-decide"),
    path("planning/calendar/", views.week_calendar, name="planning-calendar"),
    path("planning/my-day/", views.my_day, name="planning-my-day"),
]
