"""Test helpers shipped with the package: a fake Trello API serving real board exports.

`python -m trellosync.testing.fake_trello --help`; from Python: `from trellosync.testing.fake_trello import
FakeTrello`. (Nothing is imported here, so `python -m` runs the module only once.)
"""
