from django.apps import AppConfig


class BookingConfig(AppConfig):
    """Public self-booking pages (per practice) and the staff series page."""

    name = "backcourse.booking"
    label = "booking"
