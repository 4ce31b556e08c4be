#!/usr/bin/env python
"""Run Django's command line for the Podium site."""

import os
import sys
from pathlib import Path


def main():
    # The Django project lives in a folder named platform/ that is not a
    # package, because a package of that name would shadow the standard
    # library's platform module that Celery and kombu import.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podium.settings")

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
