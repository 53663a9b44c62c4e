from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from faced.notify import schedule


class Command(BaseCommand):
    help = (
        "Put each periodic task (deadline checks, for one) on the task "
        "queue unless a run of it is already waiting. `faced serve` runs "
        "it at start; running it again does no harm."
    )

    def handle(self, *args, **options):
        for path, every in schedule.PERIODIC:
            result = schedule.keep_scheduled(import_string(path), every)
            if result is None:
                self.stdout.write(
                    f"{path}: not queued (a run is already waiting, or "
                    "the task backend keeps no queue)."
                )
            else:
                self.stdout.write(f"{path}: next run after {every}.")
