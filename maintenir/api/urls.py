from django.urls import URLPattern, URLResolver, path

from maintenir.api.main import api, json_method_not_allowed


def _json_errors(pattern: URLPattern | URLResolver) -> URLPattern | URLResolver:
    if isinstance(pattern, URLPattern):
        pattern.callback = json_method_not_allowed(pattern.callback)
    return pattern


_patterns, _app_name, _namespace = api.urls
urlpatterns = [path("", ([_json_errors(pattern) for pattern in _patterns], _app_name, _namespace))]
