from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from backcourse.notifications import emails
from backcourse.notifications.outbox import email_queue
from backcourse.practices.models import StaffMember


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the 6 digits shown in your app."))
        return code

    def clean(self):
        from backcourse.accounts.two_factor import throttle_message

        cleaned = super().clean()
        code = cleaned.get("code")
        if code is None or self.device is None:
            return cleaned
        message = throttle_message(self.device)
        if message:
            self.add_error("code", message)
        elif not self.device.verify_token(code):
            self.add_error(
                "code",
                _("That code is not right. Check the time on your phone and use the newest code."),
            )
        return cleaned


class StaffPasswordResetForm(PasswordResetForm):
    """Password reset for staff only: clients sign in with an emailed link and have no
    password. The page says the same whether or not the address is known."""

    def get_users(self, email):
        staff_user_ids = StaffMember.objects.filter(is_active=True).values("user_id")
        return (
            user
            for user in super().get_users(email)
            if user.is_superuser or user.pk in {row["user_id"] for row in staff_user_ids}
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Built with every other email (notifications/emails.py) and queued: the
        request does not wait for the mail server."""
        email_queue(emails.password_reset(context=context, to=to_email))
