"""Writes for the owner's settings that are more than one form save."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from backcourse.accounts.models import User
from backcourse.api.models import ApiToken
from backcourse.clients.models import ConsentText
from backcourse.notifications import emails
from backcourse.notifications.models import CalendarFeed
from backcourse.notifications.outbox import email_queue
from backcourse.practices.models import StaffMember


@transaction.atomic
def consent_text_publish(*, practice, kind: str, text: str) -> ConsentText:
    """Publish a new version of a consent text (versions are never edited in place:
    what a client agreed to stays readable)."""
    last = (
        ConsentText.objects.select_for_update()
        .filter(practice=practice, kind=kind)
        .aggregate(v=Max("version"))["v"]
    )
    return ConsentText.objects.create(
        practice=practice,
        kind=kind,
        version=(last or 0) + 1,
        text=text.strip(),
        published_at=timezone.now(),
    )


# --- Staff on- and off-boarding ---------------------------------------------------------


class StaffChangeRefused(Exception):
    """A staff change that would lock the practice out; `message` is for the owner."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def _owners_left(practice, without: StaffMember) -> bool:
    return (
        StaffMember.objects.filter(practice=practice, role=StaffMember.Role.OWNER, is_active=True)
        .exclude(pk=without.pk)
        .exists()
    )


@transaction.atomic
def staff_invite(
    *,
    practice,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    takes_sessions: bool,
    invited_by=None,
) -> StaffMember:
    """Make a login (no password yet) and a staff row, and email a one-time link to set
    the password. The link is Django's password-reset token: it stops working once a
    password is set, and after PASSWORD_RESET_TIMEOUT."""
    email = email.strip().lower()
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise StaffChangeRefused(_("There is already an account with this email address."))
    user = User(username=email, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    staff = StaffMember.objects.create(
        user=user, practice=practice, role=role, takes_sessions=takes_sessions
    )
    invitation_send(staff=staff, invited_by=invited_by)  # queued, sent after commit
    return staff


def invitation_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:invitation", args=[uid, token])


def invitation_send(*, staff: StaffMember, invited_by=None) -> None:
    """Email (again) the link to set a password, once the transaction commits; only
    while no password is set."""
    user = staff.user
    if user.has_usable_password():
        return
    email_queue(  # sent once the transaction commits
        emails.staff_invitation(
            staff=staff,
            inviter=invited_by.get_full_name() if invited_by else "",
            link=invitation_link(user),
            days=settings.PASSWORD_RESET_TIMEOUT // 86400,
        )
    )


@transaction.atomic
def staff_update(*, staff: StaffMember, role: str, takes_sessions: bool) -> StaffMember:
    """Change a colleague's role; the last active owner cannot stop being one."""
    demoted = staff.role == StaffMember.Role.OWNER and role != StaffMember.Role.OWNER
    if demoted and not _owners_left(staff.practice, staff):
        raise StaffChangeRefused(_("The practice needs at least one owner."))
    staff.role = role
    staff.takes_sessions = takes_sessions
    staff.save(update_fields=["role", "takes_sessions"])
    return staff


@transaction.atomic
def staff_deactivate(*, staff: StaffMember, now=None) -> dict[str, int]:
    """Off-board a colleague: their login stops, their calendar feeds and API tokens are
    revoked; their sessions and records stay. Returns what was revoked."""
    now = now or timezone.now()
    if staff.role == StaffMember.Role.OWNER and not _owners_left(staff.practice, staff):
        raise StaffChangeRefused(_("The practice needs at least one owner."))
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    User.objects.filter(pk=staff.user_id).update(is_active=False)
    feeds = CalendarFeed.objects.filter(staff=staff, revoked_at__isnull=True).update(revoked_at=now)
    tokens = ApiToken.objects.filter(staff=staff, revoked_at__isnull=True).update(revoked_at=now)
    # Signed-in sessions end too: the user is inactive, so Django's auth refuses them
    # on the next request (ModelBackend.user_can_authenticate).
    return {"feeds": feeds, "tokens": tokens}


@transaction.atomic
def staff_reactivate(*, staff: StaffMember) -> StaffMember:
    """Let a colleague back in (revoked feeds and tokens stay revoked)."""
    staff.is_active = True
    staff.save(update_fields=["is_active"])
    User.objects.filter(pk=staff.user_id).update(is_active=True)
    return staff
