from django.urls import include, path

from backcourse.api import views
from backcourse.api.api import api

app_name = "api"
# The ninja operations join this namespace directly ("api:clients", "api:openapi-json"),
# which is what NinjaAPI(urls_namespace="api") expects for its docs page.
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", include(api.urls[0])),
]
