from backcourse.practices.roles import PermLabels


def practice(request):
    return {
        "current_practice": getattr(request, "practice", None),
        "current_staff": getattr(request, "staff", None),
        "can": PermLabels(request),
    }
