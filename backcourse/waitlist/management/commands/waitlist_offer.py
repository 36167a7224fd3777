"""Offer freed slots to the waitlist (run every minute or two, e.g. from cron)."""

from django.core.management.base import BaseCommand

from backcourse.practices.models import Practice
from backcourse.waitlist.models import WaitlistEntry
from backcourse.waitlist.services import waitlist_offers_make


class Command(BaseCommand):
    help = "Expire lapsed holds and offer free slots to waiting clients, first come first served."

    def handle(self, *args, **opts):
        made = 0
        ids = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).values_list(
            "practice_id", flat=True
        )
        for practice in Practice.objects.filter(pk__in=ids.distinct()):
            made += len(waitlist_offers_make(practice=practice))
        self.stdout.write(f"{made} offers made.")
