"""The `safepassage` command: Django's management entry point with the project's settings.

`safepassage init_keys` runs before Django is configured, since the settings refuse to load
without keys and this is the command that makes them.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "init_keys":
        from safepassage.core.keys import init_keys_cli

        sys.exit(init_keys_cli(sys.argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
