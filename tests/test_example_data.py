"""The example peer-lunch workspace (trellosync/example/) is deterministic, well-formed Trello export data.

The checks re-derive the default board convention independently of the package (lunch dates, commitment
deadlines and statuses, goal outcomes) so the demo data keeps exercising every case the reports need.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_example.py"
PRACTICES_SCRIPT = (
    ROOT / "scripts" / "make_example_practices.py"
)  # runs after SCRIPT: its boards + config block
PRACTICE_FILES = [
    "practices-advocate-will.json",
    "practices-group-platform-leads.json",
    "practices-team-platform.json",
]
EXAMPLE = ROOT / "trellosync" / "example"
BOARD_FILES = ["peer-lunch-will-jessica.json", "peer-lunch-amara-diego.json", "advocate-will.json"]
NOW = datetime(2026, 11, 15, 18, 0, tzinfo=timezone.utc)
HEX24 = re.compile(r"^[0-9a-f]{24}$")

# The shape of the current (2025) Trello board export, copied from a real one.
BOARD_KEYS = [
    "id",
    "nodeId",
    "name",
    "desc",
    "descData",
    "closed",
    "creationMethod",
    "creationMethodError",
    "creationMethodLoadingStartedAt",
    "dateClosed",
    "idOrganization",
    "idEnterprise",
    "limits",
    "pinned",
    "starred",
    "url",
    "prefs",
    "shortLink",
    "subscribed",
    "labelNames",
    "powerUps",
    "dateLastActivity",
    "dateLastView",
    "shortUrl",
    "idTags",
    "datePluginDisable",
    "ixUpdate",
    "templateGallery",
    "enterpriseOwned",
    "idBoardSource",
    "premiumFeatures",
    "idMemberCreator",
    "type",
    "actions",
    "cards",
    "checklists",
    "customFields",
    "labels",
    "lists",
    "members",
    "memberships",
    "pluginData",
]
CARD_KEYS = [
    "id",
    "address",
    "agent",
    "badges",
    "checkItemStates",
    "closed",
    "coordinates",
    "creationMethod",
    "creationMethodError",
    "creationMethodLoadingStartedAt",
    "dueComplete",
    "dateClosed",
    "dateLastActivity",
    "dateCompleted",
    "dateViewedByCreator",
    "desc",
    "descData",
    "due",
    "dueReminder",
    "email",
    "externalSource",
    "faviconUrl",
    "idBoard",
    "idChecklists",
    "idLabels",
    "idList",
    "idMemberCreator",
    "idMembers",
    "idMembersVoted",
    "idOrganization",
    "idShort",
    "idAttachmentCover",
    "labels",
    "limits",
    "locationName",
    "manualCoverAttachment",
    "name",
    "nodeId",
    "originalDesc",
    "originalName",
    "pinned",
    "pos",
    "recurrenceRule",
    "shortLink",
    "shortUrl",
    "singleInstrumentationId",
    "sourceEmail",
    "staticMapUrl",
    "start",
    "subscribed",
    "url",
    "urlSource",
    "urlSourceText",
    "cover",
    "isTemplate",
    "cardRole",
    "mirrorSourceId",
    "mirrorSourceNodeId",
    "attachments",
    "pluginData",
    "customFieldItems",
]
CHECK_ITEM_KEYS = ["id", "name", "nameData", "pos", "state", "due", "dueReminder", "idMember", "idChecklist"]
ACTION_KEYS = ["id", "idMemberCreator", "data", "appCreator", "type", "date", "limits", "memberCreator"]
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}


def run_script(out: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True, timeout=60
    )
    subprocess.run(
        [sys.executable, str(PRACTICES_SCRIPT), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )


def parse(ts: str) -> datetime:
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def id_time(oid: str) -> datetime:
    return datetime.fromtimestamp(int(oid[:8], 16), tz=timezone.utc)


def name_date(name: str) -> date | None:
    if m := re.match(r"(\d{4})-(\d{2})-(\d{2})\b", name):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})\b", name):  # day first
        return date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.match(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})\b", name):
        return date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    return None


def lunch_date(card: dict) -> tuple[date, str]:
    if card["due"]:
        return parse(card["due"]).date(), "due"
    if (d := name_date(card["name"])) is not None:
        return d, "name"
    return id_time(card["id"]).date(), "created"


CONFIG = yaml.safe_load((EXAMPLE / "config.yaml").read_text(encoding="utf-8"))
CONFIG["boards"] = [
    m for m in CONFIG["boards"] if not m["board"].startswith(("Will – self", "Peer learning", "Platform"))
]
MAPPINGS = {
    m["board"]: m for m in CONFIG["boards"]
}  # the lunch boards (the practices' boards: test_practice_reports)


@pytest.fixture(scope="module")
def boards() -> list[dict]:
    return [json.loads((EXAMPLE / f).read_text(encoding="utf-8")) for f in BOARD_FILES]


def lists_by_name(board: dict) -> dict[str, str]:
    return {lst["name"]: lst["id"] for lst in board["lists"]}


def lunch_cards(board: dict) -> list[dict]:
    (name,) = MAPPINGS[board["name"]]["lunches"]["lists"]
    lunches = lists_by_name(board)[name]
    return sorted((c for c in board["cards"] if c["idList"] == lunches), key=lambda c: lunch_date(c)[0])


def done_list(board: dict) -> str:
    lists = lists_by_name(board)
    return next(lists[n] for n in MAPPINGS[board["name"]]["goals"]["done_lists"] if n in lists)


def completions(board: dict) -> dict[str, datetime]:
    done = {}
    for act in board["actions"]:
        if act["type"] == "updateCheckItemStateOnCard" and act["data"]["checkItem"]["state"] == "complete":
            done[act["data"]["checkItem"]["id"]] = parse(act["date"])
    return done


# ---------------------------------------------------------------------------------------------------


@pytest.mark.slow  # generates the whole example twice
def test_generator_is_deterministic_and_matches_shipped_files(tmp_path):
    run_script(tmp_path / "a")
    run_script(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted([*BOARD_FILES, *PRACTICE_FILES, "config.yaml"])
    for name in names:
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes(), name
        assert first == (EXAMPLE / name).read_bytes(), f"{name} is stale: rerun scripts/make_example.py"


def test_export_shape_matches_the_2025_schema(boards):
    for board in boards:
        assert list(board) == BOARD_KEYS
        for card in board["cards"]:
            assert list(card) == CARD_KEYS
            assert card["idBoard"] == board["id"]
        for cl in board["checklists"]:
            for item in cl["checkItems"]:
                assert list(item) == CHECK_ITEM_KEYS
                assert item["idChecklist"] == cl["id"]
        for act in board["actions"]:
            assert list(act) == ACTION_KEYS
            assert act["memberCreator"]["id"] == act["idMemberCreator"]
            assert act["data"]["board"]["id"] == board["id"]
        assert len(board["actions"]) < 1000
        assert len({"", *[lab["name"] for lab in board["labels"]]}) >= 6
        assert any(lab["name"] == "" for lab in board["labels"])


def _walk_ids(obj, path="$"):
    if isinstance(obj, dict):
        for key, value in obj.items():
            if re.fullmatch(r"id([A-Z]\w*)?", key) and key != "idShort":
                if isinstance(value, str):
                    yield f"{path}.{key}", value
                elif isinstance(value, list):
                    yield from ((f"{path}.{key}[]", v) for v in value)
            yield from _walk_ids(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _walk_ids(value, f"{path}[{i}]")


def test_every_id_is_an_objectid(boards):
    for board in boards:
        ids = list(_walk_ids(board))
        assert len(ids) > 500
        for where, value in ids:
            assert HEX24.match(value), (where, value)
        own = [board["id"]] + [
            x["id"] for k in ("actions", "cards", "checklists", "labels", "lists") for x in board[k]
        ]
        own += [it["id"] for cl in board["checklists"] for it in cl["checkItems"]]
        assert len(own) == len(set(own)), "duplicate ids"


def test_id_timestamps_match_dates(boards):
    for board in boards:
        created_cards, added_checklists = {}, {}
        for act in board["actions"]:
            when = parse(act["date"])
            assert id_time(act["id"]) == when.replace(microsecond=0), act["id"]
            assert when <= NOW
            if act["type"] == "createCard":
                created_cards[act["data"]["card"]["id"]] = when
            if act["type"] == "addChecklistToCard":
                added_checklists[act["data"]["checklist"]["id"]] = when
        dates = [a["date"] for a in board["actions"]]
        assert dates == sorted(dates, reverse=True), "actions newest first"
        for card in board["cards"]:
            assert id_time(card["id"]) == created_cards[card["id"]].replace(microsecond=0)
        for cl in board["checklists"]:
            assert id_time(cl["id"]) == added_checklists[cl["id"]].replace(microsecond=0)
            for item in cl["checkItems"]:
                assert timedelta(0) <= id_time(item["id"]) - id_time(cl["id"]) < timedelta(hours=1)
        for card in lunch_cards(board):
            d, _ = lunch_date(card)
            lunch_noon = datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc)
            assert abs(id_time(card["id"]) - lunch_noon) <= timedelta(days=1), card["name"]


def test_people_and_members(boards):
    usernames = set()
    for board in boards:
        assert len(board["members"]) == 2
        assert {m["idMember"] for m in board["memberships"]} == {m["id"] for m in board["members"]}
        usernames |= {m["username"] for m in board["members"]}
    assert len(usernames) >= 4 and len(boards) >= 2


def test_config_maps_the_boards(boards):
    config = CONFIG
    assert "database" not in config and "trello" not in config
    usernames = {m["username"] for b in boards for m in b["members"]}
    assert {p["trello"] for p in config["people"].values()} == usernames
    by_name = {b["name"]: b for b in boards}
    assert [m["board"] for m in config["boards"]] == [b["name"] for b in boards]
    for mapping in config["boards"]:
        board = by_name[mapping["board"]]
        assert set(mapping["subjects"]) <= set(config["people"])
        assert set(mapping["labels"]) <= {lab["name"] for lab in board["labels"]}
        assert set(mapping["lunches"]["lists"]) <= set(lists_by_name(board))
        usernames_here = {m["username"] for m in board["members"]}
        assert {config["people"][s]["trello"] for s in mapping["subjects"]} <= usernames_here


def test_lunches_cover_six_months_with_every_date_convention(boards):
    sources, formats = set(), set()
    for board in boards:
        cards = lunch_cards(board)
        assert len(cards) >= (12 if board["name"].startswith("Peer lunch") else 6)
        dates = [lunch_date(c)[0] for c in cards]
        assert (dates[-1] - dates[0]).days >= 183
        gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
        assert max(gaps) >= 28 and min(gaps) >= 7
        sources |= {lunch_date(c)[1] for c in cards}
        cl_names = {
            c["id"]: [cl["name"] for cl in board["checklists"] if cl["idCard"] == c["id"]] for c in cards
        }
        for card in cards:
            names = cl_names[card["id"]]
            if not names:
                assert "Best moment" in card["desc"] and "Focus" in card["desc"]
                formats.add("desc")
            elif any(" - " in n for n in names):
                formats.add("split")
            else:
                assert {"Best moment", "Worst moment", "Focus"} <= set(names)
    assert sources == {"due", "name", "created"}
    assert formats == {"desc", "split"}
    assert sum(c["closed"] for b in boards for c in lunch_cards(b)) >= 1


def test_feedback_attribution_varies(boards):
    ways = set()
    for board in boards:
        single_subject = len(MAPPINGS[board["name"]]["subjects"]) == 1
        people = {m["username"] for m in board["members"]}
        first_names = {m["fullName"].split()[0] for m in board["members"]}
        for cl in board["checklists"]:
            if not cl["name"].startswith(("Best moment", "Worst moment", "Focus", "Commitments")):
                continue
            for item in cl["checkItems"]:
                if item["idMember"]:
                    ways.add("member")
                elif item["name"].startswith("@") and item["name"][1:].split()[0] in people:
                    ways.add("at")
                elif item["name"].split(":")[0] in first_names:
                    ways.add("name")
                elif cl["name"].split(" - ")[-1] in first_names:
                    ways.add("checklist")
                else:
                    assert single_subject, (cl["name"], item["name"])
                    ways.add("subject")
    assert ways == {"member", "at", "name", "checklist", "subject"}


def test_commitments_cover_every_status(boards):
    statuses: dict[str, int] = {}
    for board in boards:
        cards = lunch_cards(board)
        dates = {c["id"]: lunch_date(c)[0] for c in cards}
        next_lunch = {a["id"]: dates[b["id"]] for a, b in zip(cards, cards[1:], strict=False)}
        done = completions(board)
        for cl in board["checklists"]:
            if not cl["name"].startswith("Commitments") or cl["idCard"] not in dates:
                continue
            for item in cl["checkItems"]:
                deadline = parse(item["due"]).date() if item["due"] else next_lunch[cl["idCard"]]
                assert (item["state"] == "complete") == (item["id"] in done)
                if item["id"] in done:
                    status = "kept" if done[item["id"]].date() <= deadline else "late"
                    assert done[item["id"]].date() > dates[cl["idCard"]]
                else:
                    status = "broken" if deadline < NOW.date() else "open"
                statuses[status] = statuses.get(status, 0) + 1
                statuses["with due" if item["due"] else "next lunch"] = (
                    statuses.get("with due" if item["due"] else "next lunch", 0) + 1
                )
    for key in ("kept", "late", "broken", "open", "with due", "next lunch"):
        assert statuses.get(key, 0) >= 2, statuses


def test_goals_achieved_dropped_open_and_overdue(boards):
    seen = set()
    for board in boards:
        lists = lists_by_name(board)
        updates = [a for a in board["actions"] if a["type"] == "updateCard"]
        for card in board["cards"]:
            if card["idList"] not in (lists["Goals"], done_list(board)):
                continue
            mine = [a for a in updates if a["data"]["card"]["id"] == card["id"]]
            created = next(
                a
                for a in board["actions"]
                if a["type"] == "createCard" and a["data"]["card"]["id"] == card["id"]
            )
            assert card["idMembers"] and card["due"] and card["idLabels"]
            assert any(
                cl["name"] == "Key results" for cl in board["checklists"] if cl["idCard"] == card["id"]
            )
            if card["idList"] == done_list(board) and created["data"]["list"]["id"] == done_list(board):
                assert not any("listAfter" in a["data"] for a in mine)
                seen.add("achieved (created in the done list)")
            elif card["idList"] == done_list(board):
                assert any(a["data"].get("listAfter", {}).get("id") == done_list(board) for a in mine)
                seen.add("achieved (moved)")
            elif card["closed"]:
                assert any(a["data"].get("old") == {"closed": False} for a in mine)
                seen.add("dropped")
            elif card["dueComplete"]:
                assert any(a["data"].get("old") == {"dueComplete": False} for a in mine)
                seen.add("achieved (dueComplete)")
            else:
                seen.add("overdue" if parse(card["due"]) < NOW else "open")
    assert seen == {
        "achieved (moved)",
        "achieved (created in the done list)",
        "achieved (dueComplete)",
        "dropped",
        "open",
        "overdue",
    }


def test_observations_are_comments_on_lunch_cards(boards):
    for board in boards:
        lunch_ids = {c["id"] for c in lunch_cards(board)}
        comments = [a for a in board["actions"] if a["type"] == "commentCard"]
        on_lunches = [a for a in comments if a["data"]["card"]["id"] in lunch_ids]
        assert len(on_lunches) >= len(lunch_ids) // 2
        for act in comments:
            assert act["data"]["text"] and act["data"]["list"]["id"]
        assert sum(a["type"] == "updateCheckItemStateOnCard" for a in board["actions"]) >= 10
