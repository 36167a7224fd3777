from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "backcourse.clients"
    label = "clients"
