"""`python -m trellosync`."""

from trellosync.cli import main

main()
