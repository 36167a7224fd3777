"""An owner can require two-factor login for every staff member of their practice."""

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_staff_without_an_app_must_set_it_up_first(as_therapist_a, therapist_a, practice_a):
    assert as_therapist_a.get(reverse("scheduling:day")).status_code == 200
    practice_a.require_two_factor = True
    practice_a.save()

    for url in [reverse("scheduling:day"), reverse("clients:list"), "/api/v1/clients"]:
        response = as_therapist_a.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401  # the browser session is not enough
        else:
            assert response.status_code == 302 and response.url == reverse("accounts:two_factor")
    page = as_therapist_a.get(reverse("accounts:two_factor")).content.decode()
    assert "requires two-factor login" in page

    # Enrolling with a code opens the pages again.
    device = TOTPDevice.objects.get(user=therapist_a.user, confirmed=False)
    as_therapist_a.post(reverse("accounts:two_factor"), {"code": _code(device)})
    assert as_therapist_a.get(reverse("scheduling:day")).status_code == 200

    # And it cannot be turned off while the practice requires it.
    device.refresh_from_db()
    response = as_therapist_a.post(
        reverse("accounts:two_factor"), {"code": _code(device)}, follow=True
    )
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=therapist_a.user, confirmed=True).exists()


def test_the_owner_sets_the_rule_in_the_practice_settings(client, practice_a):
    from tests import factories as f

    owner = f.StaffFactory(practice=practice_a, role="owner", takes_sessions=False)
    client.force_login(owner.user)
    page = client.get(reverse("admin:practices_practice_change", args=[practice_a.pk]))
    assert "require_two_factor" in page.content.decode()
