"""The `fangpin` command: Django's management commands under one name (fangpin migrate, fangpin import ...)."""
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "fangpin"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
