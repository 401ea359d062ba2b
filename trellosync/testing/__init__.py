"""Test helpers shipped with the package: a fake Trello API serving real board exports."""

from .fake_trello import FakeTrello, new_object_id, synthesize_board

__all__ = ["FakeTrello", "new_object_id", "synthesize_board"]
