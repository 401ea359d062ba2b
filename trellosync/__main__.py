"""`python -m trellosync`."""

from trellosync.cli.entry import main

main()
