import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maintenir.core.tests.factories import UserFactory
from maintenir.reports.choices import ReportKind
from maintenir.reports.models import ReportMailing
from maintenir.workorders.tests.factories import WorkOrderFactory


class ReportMailingFactory(DjangoModelFactory):
    """An intervention report already sent."""

    class Meta:
        model = ReportMailing

    kind = ReportKind.INTERVENTION
    work_order = factory.SubFactory(WorkOrderFactory)
    organisation = factory.SelfAttribute("work_order.site.organisation")
    title = factory.LazyAttribute(lambda mailing: f"Intervention report {mailing.work_order.reference}")
    recipients = factory.LazyFunction(lambda: ["contact@example.com"])
    sent_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)
