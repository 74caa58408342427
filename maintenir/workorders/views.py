from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def workrequest_list(request: HttpRequest) -> HttpResponse:
    return render(request, "workorders/workrequest_list.html", {})


@login_required
def workrequest_add(request: HttpRequest) -> HttpResponse:
    return render(request, "workorders/workrequest_form.html", {})


@login_required
def workorder_list(request: HttpRequest) -> HttpResponse:
    return render(request, "workorders/workorder_list.html", {})
