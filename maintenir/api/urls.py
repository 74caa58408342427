from django.urls import path

from maintenir.api.main import api

urlpatterns = [path("", api.urls)]
