from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "backcourse.clients"
    label = "clients"

    def ready(self) -> None:
        from backcourse.clients.models import ConsentText
        from backcourse.practices.reference import watch

        watch(ConsentText)  # pages keep the published texts in memory until they change
