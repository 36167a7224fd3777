"""The client side: sign-in links, consent, intake with screening, check-in, follow-ups,
questionnaires and erasure requests.

Everything here hangs off a `clients.Client`; the client's pages reach it only through
`portal/access.py`, which scopes every query to the signed-in client.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.practices.models import Practice
from backcourse.scheduling.models import Session


class EmailToken(models.Model):
    """A single-use link sent by email. Only a SHA-256 hash of the secret is stored, so a
    leaked database cannot be used to sign in."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("sign-in")
        FOLLOW_UP = "follow_up", _("follow-up question")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="email_tokens")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email link")
        verbose_name_plural = _("email links")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.client} · {self.created_at:%Y-%m-%d %H:%M}"


class SignInRequest(models.Model):
    """One request for a sign-in link, whether or not the address belongs to a client, so
    the rate limit is the same for every address (it must not reveal who is a client).
    Kept only for the limit's window: older rows are deleted on the next request."""

    email = models.EmailField(_("email"))
    requested_ip = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sign-in link request")
        verbose_name_plural = _("sign-in link requests")
        indexes = [models.Index(fields=["created_at"], name="signin_request_created")]

    def __str__(self) -> str:
        return f"{self.email} · {self.created_at:%Y-%m-%d %H:%M}"


class CheckIn(models.Model):
    """The client's phone check-in before a session; its values become the session's
    "before" measures."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="check_in")
    pain = models.PositiveSmallIntegerField(
        _("pain"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    stress = models.PositiveSmallIntegerField(
        _("stress"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    note = models.TextField(_("anything new?"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pain__lte=10, stress__lte=10), name="checkin_0_to_10"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} · pain {self.pain} · stress {self.stress}"


class FollowUp(models.Model):
    """ "How is it now?" the day after a session: a between-session pain value that
    feeds the relapse estimate. One per session, so sending is idempotent."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="follow_up")
    sent_at = models.DateTimeField(default=timezone.now)
    value = models.PositiveSmallIntegerField(
        _("pain now"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__lte=10),
                name="followup_0_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.value}"


class QuestionnaireResponse(models.Model):
    """A completed questionnaire with its score (see portal/questionnaires.py)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="questionnaires")
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="questionnaires"
    )
    instrument = models.CharField(_("questionnaire"), max_length=20)
    answers = models.JSONField()
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["completed_at", "id"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score} · {self.client}"


class ErasureRequest(models.Model):
    """A client's request to erase their data; staff confirm it. Records the law
    requires to be kept are kept (see services.erasure_confirm)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for staff")
        DONE = "done", _("erased")
        DECLINED = "declined", _("declined")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, related_name="erasure_requests"
    )
    client_name = models.CharField(max_length=220)
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.client_name} · {self.get_status_display()}"
