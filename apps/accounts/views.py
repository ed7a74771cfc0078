from django.http import HttpResponse


def dashboard_placeholder(request):
    return HttpResponse("CLC portal")
