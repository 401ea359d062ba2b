"""Resolving Trello members and names in text to the person keys of the config."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from trellosync.config.settings import PersonConfig
from trellosync.domain.model import Person
from trellosync.mirror.normalize import BoardRows

_AT_PREFIX = re.compile(r"^\s*@([A-Za-z0-9_.-]+)[\s:,-]*")
Mentions = dict[str, list[tuple[re.Pattern[str], str]]]  # lower-case first word -> (pattern, person key)
_WORD = re.compile(r"@?\w+")
_NAME_PREFIX = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*")


@dataclass
class People:
    """Resolves Trello members and names in text to person keys."""

    persons: dict[str, Person]
    by_member: dict[str, str]
    by_token: dict[str, str]
    # how the text of an entry names mapped people, by first word (see `mentioned`)
    mentions: Mentions = field(default_factory=dict)

    @classmethod
    def build(
        cls, config_people: dict[str, PersonConfig], rows: BoardRows, overrides: dict[str, str]
    ) -> People:
        """People of the config plus the board's unmapped members."""
        persons = {
            key: Person(key=key, name=pc.name, trello_username=pc.trello, mapped=True)
            for key, pc in config_people.items()
        }
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
        return cls(persons, by_member, by_token, _mention_patterns(persons, config_people))

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
                return key, text[m.end() :].strip()
        if m := _NAME_PREFIX.match(text):
            key = self.name(m[1])
            if key:
                return key, text[m.end() :].strip()
        return None, text.strip()

    def mentioned(self, text: str) -> list[str]:
        """The mapped people a text names, each once, in the order it names them (see `_mention_patterns`)."""
        found: list[tuple[int, str]] = []
        for word in dict.fromkeys(w.casefold() for w in _WORD.findall(text)):
            for pattern, key in self.mentions.get(word, ()):
                found += [(m.start(), key) for m in pattern.finditer(text)]
        return list(dict.fromkeys(key for _, key in sorted(found)))

    def in_title(self, title: str) -> str | None:
        """A person named in a checklist title such as 'Best moment - Will' or 'Focus (Jessica)'."""
        for word in re.split(r"[\s\-–—:()/,]+", title):
            if word and (key := self.name(word)):
                return key
        return None


def _whole(words: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    """`words` as whole words (any spacing between them); accents must match as written."""
    body = r"\s+".join(re.escape(w) for w in words.split())
    return re.compile(rf"(?<![\w@]){body}(?!\w)", re.IGNORECASE if ignore_case else 0)


def _mention_patterns(persons: dict[str, Person], config_people: dict[str, PersonConfig]) -> Mentions:
    """How a text names a mapped person: their full name, an alias of the config or `@username` (any case),
    or a first name no other mapped person shares, written with its capital ("Will", never "will" or
    "willing": a first name is often a word too); always as whole words. Indexed by their first word, so a
    text is read once whatever the team's size."""
    firsts = Counter(p.name.split()[0].lower() for p in persons.values() if p.mapped and p.name.split())
    out: Mentions = {}
    for key, p in persons.items():
        if not p.mapped:
            continue
        ways = [
            (n, True)
            for n in (p.name, *(config_people[key].aliases if key in config_people else ()))
            if n.strip()
        ]
        first = p.name.split()[0] if p.name.split() else ""
        if first and first != p.name.strip() and firsts[first.lower()] == 1:
            ways.append((first[0].upper() + first[1:], False))
        if p.trello_username:
            ways.append(("@" + p.trello_username.lstrip("@"), True))
        for words, ignore_case in ways:
            out.setdefault(words.split()[0].casefold(), []).append(
                (_whole(words, ignore_case=ignore_case), key)
            )
    return out


def _match_members(
    persons: dict[str, Person],
    config_people: dict[str, PersonConfig],
    rows: BoardRows,
    overrides: dict[str, str],
) -> dict[str, str]:
    """Member id -> person key; members nobody mapped become people keyed by username (added to persons)."""
    wanted = {(pc.trello or "").lower().lstrip("@"): key for key, pc in config_people.items() if pc.trello}
    override = {k.lower().lstrip("@"): v for k, v in overrides.items()}
    by_member: dict[str, str] = {}
    for m in rows.members:
        uname = (m.get("username") or "").lower()
        key = (
            override.get(m["id"].lower())
            or override.get(uname)
            or wanted.get(m["id"].lower())
            or wanted.get(uname)
        )
        if key:
            persons[key].member_id = persons[key].member_id or m["id"]
            persons[key].trello_username = persons[key].trello_username or m.get("username")
        else:
            key = uname or m["id"]
            if key in persons and persons[key].member_id not in (None, m["id"]):
                key = m["id"]
            persons.setdefault(
                key,
                Person(
                    key=key,
                    name=m.get("full_name") or m.get("username") or m["id"],
                    trello_username=m.get("username"),
                    member_id=m["id"],
                    mapped=False,
                ),
            )
        by_member[m["id"]] = key
    return by_member


def with_config_people(persons: dict[str, Person], config_people: dict[str, PersonConfig]) -> None:
    """Make every person of the config known, with the config's name and username, before a derive has seen them
    (a person added to the config is someone to report on at once; their evidence arrives with the next derive)."""
    for key, pc in config_people.items():
        old = persons.get(key)
        persons[key] = Person(
            key=key,
            name=pc.name,
            trello_username=pc.trello,
            member_id=old.member_id if old is not None else None,
            mapped=True,
        )
