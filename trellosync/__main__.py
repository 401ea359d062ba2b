"""`python -m trellosync`."""

from .cli import main

main()
