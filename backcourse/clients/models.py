from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.measures.models import MuscleRegion
from backcourse.practices.models import Practice


def client_name(first_name: str, last_name: str) -> str:
    """A client's name as every page shows it (`Client.full_name`), from the columns alone:
    for lists that read values rather than clients."""
    return f"{first_name} {last_name}".strip()


class ClientQuerySet(models.QuerySet):
    def search(self, text: str) -> "ClientQuerySet":
        qs = self
        for word in text.split():
            qs = qs.filter(
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
                | models.Q(phone__icontains=word)
            )
        return qs


class Client(models.Model):
    """A person treated by a practice. Health data hangs off this row."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client",
        help_text=_("The client's own login for the client pages, if any."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["practice", "last_name", "first_name"]),
            # Returning clients are found by email, ignoring case (a confirmed online
            # booking, the client's sign-in): an index, not a scan of every client.
            models.Index(Upper("email"), name="client_email_upper"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return client_name(self.first_name, self.last_name)


# --- Consent and red-flag screening ---------------------------------------------------
# Core rules about the client, used by records (no health data without consent) and
# by scheduling and the portal; kept here, below all of them. The rules themselves are
# in clients/consent.py and clients/screening.py.


class ConsentText(models.Model):
    """A versioned consent text of one practice. A newer published version asks every
    client to agree again."""

    class Kind(models.TextChoices):
        TREATMENT = "treatment", _("Consent to treatment")
        HEALTH_DATA = "health_data", _("Consent to process health data (GDPR art. 9)")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="consent_texts")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, help_text=_("Empty while it is a draft.")
    )

    class Meta:
        db_table = "portal_consenttext"  # made by the portal app, which held these first
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["practice", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class ConsentRecord(models.Model):
    """Who agreed to which version of a consent text, when and how."""

    class Via(models.TextChoices):
        ONLINE = "online", _("by the client online")
        PAPER = "paper", _("on paper, recorded by staff")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    agreed_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=8, choices=Via.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        db_table = "portal_consentrecord"  # made by the portal app, which held these first
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-agreed_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "text"], name="one_consent_per_text")
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.text} · {self.agreed_at:%Y-%m-%d}"


class ScreeningQuestion(models.Model):
    """A red-flag or contraindication question, as data a practice edits in the admin."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", _("Red flag")
        CONTRAINDICATION = "contraindication", _("Contraindication")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="screening_questions"
    )
    code = models.SlugField(_("code"), max_length=60)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    advice = models.TextField(_("advice shown on a yes"))
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        db_table = "portal_screeningquestion"  # made by the portal app, which held these first
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")
        ordering = ["practice", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "code"], name="screening_code_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Intake(models.Model):
    """The client's own account of the complaint. Each submission is kept; the newest
    one is current."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="intakes")
    complaint = models.CharField(_("what brings you"), max_length=300)
    regions = models.ManyToManyField(
        MuscleRegion, blank=True, related_name="+", verbose_name=_("where it hurts")
    )
    history = models.TextField(_("history"), blank=True)
    medication = models.TextField(_("medication"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "portal_intake"  # made by the portal app, which held these first
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client} · {self.submitted_at:%Y-%m-%d}"


class ScreeningAnswer(models.Model):
    """One yes/no answer. The question's text and advice are copied so that a later
    edit of the question does not change what the client answered."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        ScreeningQuestion, on_delete=models.SET_NULL, null=True, related_name="answers"
    )
    question_text = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=ScreeningQuestion.Kind.choices)
    advice = models.TextField(blank=True)
    answer = models.BooleanField()

    class Meta:
        db_table = "portal_screeninganswer"  # made by the portal app, which held these first
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")

    def __str__(self) -> str:
        return f"{self.question_text}: {'yes' if self.answer else 'no'}"
