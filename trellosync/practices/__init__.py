"""The practices around the lunch (PRODUCT.md): advocate cycle, peer learning groups, graded promises and
the team showcase.

- `mapping`: the YAML sections (mixed into `config.BoardMapping` / `config.PersonConfig`).
- `model`: the records (SelfReview, StakeholderFeedback, GroupIssue, Promise, Practices).
- `derive`: one board's mirror rows + mapping -> Practices (pure).
- `rules`: every practice rule once: promise grade, recurring issues, shareability, reliability series.
- `tables` / `persist`: the derived rows in the database (migration 0004); `Store.load_domain` puts them on
  `Domain.practices`.

The reports that read them: `report/kinds/advocate.py`, `report/kinds/showcase.py`, `report/practices.py`
(the parts of the goal report, dossier and group brief).
"""
