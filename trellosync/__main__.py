"""`python -m trellosync`."""

from trellosync.cli.commands import main

main()
