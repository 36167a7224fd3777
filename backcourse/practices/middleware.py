from django.utils import timezone, translation

from backcourse.practices.models import StaffMember


class PracticeMiddleware:
    """Attach the signed-in staff member and their practice to the request, and speak
    the practice's language and time zone (a practice in Berlin sees German pages and
    Berlin times; the database keeps UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.staff = None
        request.practice = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            staff = (
                StaffMember.objects.select_related("practice", "user")
                .filter(user=user, is_active=True)
                .first()
            )
            if staff is not None:
                request.staff = staff
                request.practice = staff.practice
                translation.activate(staff.practice.language)
                request.LANGUAGE_CODE = translation.get_language()
                timezone.activate(staff.practice.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
