from django.conf import settings
from django.conf.urls.static import static as static_files
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from backcourse.accounts.views import home
from backcourse.practices.admin import view_on_site_off

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("backcourse.accounts.urls")),
    path("", include("backcourse.scheduling.urls")),
    path("clients/", include("backcourse.clients.urls")),
    path("courses/", include("backcourse.courses.urls")),
    path("records/", include("backcourse.records.urls")),
    path("outcomes/", include("backcourse.outcomes.urls")),
    path("me/", include("backcourse.portal.urls")),
    path("api/", include("backcourse.api.urls")),
    # before the admin's own route of the same path, which it replaces
    path("admin/r/<int:content_type_id>/<path:object_id>/", view_on_site_off),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico before (or instead of) reading the page's icon links.
    path("favicon.ico", RedirectView.as_view(url=static("backcourse/favicon.ico"))),
]

urlpatterns += [
    path("cal/", include("backcourse.notifications.urls")),
    path("audit/", include("backcourse.audit.urls")),
    path("book/", include("backcourse.booking.urls")),
    path("billing/", include("backcourse.billing.urls")),
    path("calendar/", include("backcourse.calendar.urls")),
    path("settings/", include("backcourse.setup.urls")),
    path("waitlist/", include("backcourse.waitlist.urls")),
    path("me/reminders/", include("backcourse.sms.urls")),
]

if settings.BENCH_FLOOR:  # only while scripts/bench_pages.py runs the server
    from backcourse.bench_floor import floor

    urlpatterns += [path("bench/floor/<int:pk>/", floor, name="bench_floor")]
if settings.DEBUG:  # uploaded photos; production serves MEDIA_ROOT itself
    urlpatterns += static_files(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
