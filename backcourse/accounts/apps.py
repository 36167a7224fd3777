from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backcourse.accounts"
    label = "accounts"
