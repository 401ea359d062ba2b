"""Resolving Trello members and names in text to the person keys of the config."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trellosync.config.settings import PersonConfig
from trellosync.domain.model import Person
from trellosync.mirror.normalize import BoardRows

_AT_PREFIX = re.compile(r"^\s*@([A-Za-z0-9_.-]+)[\s:,-]*")
_NAME_PREFIX = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*")


@dataclass
class People:
    """Resolves Trello members and names in text to person keys."""

    persons: dict[str, Person]
    by_member: dict[str, str]
    by_token: dict[str, str]

    @classmethod
    def build(cls, config_people: dict[str, PersonConfig], rows: BoardRows,
              overrides: dict[str, str]) -> People:
        """People of the config plus the board's unmapped members."""
        persons = {key: Person(key=key, name=pc.name, trello_username=pc.trello, mapped=True)
                   for key, pc in config_people.items()}
        by_member = _match_members(persons, config_people, rows, overrides)
        by_token: dict[str, str] = {}
        for key, p in persons.items():
            tokens = {key, p.name, p.name.split()[0] if p.name.split() else p.name}
            if p.trello_username:
                tokens.add(p.trello_username)
            pc = config_people.get(key)
            if pc:
                tokens.update(pc.aliases)
            for tok in tokens:
                by_token.setdefault(tok.lower().strip(), key)
        return cls(persons, by_member, by_token)

    def member(self, member_id: str | None) -> str | None:
        """Person key of a Trello member id."""
        return self.by_member.get(member_id) if member_id else None

    def name(self, token: str) -> str | None:
        """Person key of a name, first name, username or alias (case-insensitive)."""
        return self.by_token.get(token.lower().strip().lstrip("@"))

    def prefix(self, text: str) -> tuple[str | None, str]:
        """An `@username` or `Name:` at the start of text: (person key, text without it)."""
        if m := _AT_PREFIX.match(text):
            key = self.name(m[1])
            if key:
                return key, text[m.end():].strip()
        if m := _NAME_PREFIX.match(text):
            key = self.name(m[1])
            if key:
                return key, text[m.end():].strip()
        return None, text.strip()

    def in_title(self, title: str) -> str | None:
        """A person named in a checklist title such as 'Best moment - Will' or 'Focus (Jessica)'."""
        for word in re.split(r"[\s\-–—:()/,]+", title):
            if word and (key := self.name(word)):
                return key
        return None


def _match_members(persons: dict[str, Person], config_people: dict[str, PersonConfig], rows: BoardRows,
                   overrides: dict[str, str]) -> dict[str, str]:
    """Member id -> person key; members nobody mapped become people keyed by username (added to persons)."""
    wanted = {(pc.trello or "").lower().lstrip("@"): key for key, pc in config_people.items() if pc.trello}
    override = {k.lower().lstrip("@"): v for k, v in overrides.items()}
    by_member: dict[str, str] = {}
    for m in rows.members:
        uname = (m.get("username") or "").lower()
        key = override.get(m["id"].lower()) or override.get(uname) or wanted.get(m["id"].lower()) \
            or wanted.get(uname)
        if key:
            persons[key].member_id = persons[key].member_id or m["id"]
            persons[key].trello_username = persons[key].trello_username or m.get("username")
        else:
            key = uname or m["id"]
            if key in persons and persons[key].member_id not in (None, m["id"]):
                key = m["id"]
            persons.setdefault(key, Person(key=key, name=m.get("full_name") or m.get("username") or m["id"],
                                           trello_username=m.get("username"), member_id=m["id"], mapped=False))
        by_member[m["id"]] = key
    return by_member
