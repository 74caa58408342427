from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ReliabilityConfig(AppConfig):
    name = "maintenir.reliability"
    label = "reliability"
    verbose_name = _("Reliability")

    def ready(self) -> None:
        from maintenir.reliability import monthly
        from maintenir.workorders.signals import rows_written_in_bulk

        # The monthly figures follow every row they sum, in the transaction that writes it.
        for model in monthly.WATCHED:
            pre_save.connect(monthly.before_save, sender=model, dispatch_uid=f"monthly-before-{model.__name__}")
            post_save.connect(monthly.after_save, sender=model, dispatch_uid=f"monthly-after-{model.__name__}")
            post_delete.connect(monthly.after_delete, sender=model, dispatch_uid=f"monthly-delete-{model.__name__}")
        rows_written_in_bulk.connect(monthly.after_bulk_write, dispatch_uid="monthly-bulk")
