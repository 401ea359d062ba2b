#!/usr/bin/env python3
"""Generate the example peer-lunch workspace shipped in ``trellosync/example/``.

Writes two Trello board exports in the current (2025) export schema plus the ``config.yaml`` that maps
them, for ``trellosync demo`` and the tests. Everything is invented (people, places, incidents), the
output is deterministic (fixed seeds, a fixed "now" of 2026-11-15) and nothing touches the network.

    python scripts/make_example.py                 # rewrite trellosync/example/
    python scripts/make_example.py --out /tmp/ex   # write elsewhere
    python scripts/make_example.py --summary       # also print the expected derived figures (JSON)

Conventions exercised (see PRODUCT.md, "The default board convention"):
- lunch dates from ``due``, from a date at the start of the card name (three spellings), or from the
  card id's timestamp (one card has neither);
- feedback attributed by check-item member, ``@username`` prefix, ``Name:`` prefix, checklist name
  ("Best moment - Will"), and two lunches that keep their sections in the card description instead;
- commitments kept / late / broken / open, with completion dates only in the action history;
- goals achieved by a move to ``Achieved`` or by ``dueComplete``, dropped by archiving, open, overdue.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

UTC = timezone.utc
NOW = datetime(2026, 11, 15, 18, 0, 0, tzinfo=UTC)  # end of the data: nothing happens after this
ORG_ID = "62f0a1c3b5e8d24a7c19e0f4"
APP_WEB = {"id": "4ee912fee8a2505d1715191f"}
BIG = 140737488355328  # Trello's large float positions (2**47)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "trellosync" / "example"


# --------------------------------------------------------------------------------------------------
# helpers


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def at(d: date, hh: int, mm: int = 0, ss: int = 0, ms: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, ss, ms * 1000, tzinfo=UTC)


def slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


class IdMaker:
    """MongoDB ObjectIds: 4-byte timestamp, 5 random bytes fixed per 'process', 3-byte counter."""

    def __init__(self, rng: random.Random):
        self.machine = f"{rng.getrandbits(40):010x}"
        self.counter = rng.getrandbits(24)

    def __call__(self, when: datetime) -> str:
        self.counter = (self.counter + 1) % (1 << 24)
        return f"{int(when.timestamp()):08x}{self.machine}{self.counter:06x}"


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


# --------------------------------------------------------------------------------------------------
# people

PEOPLE = {
    "will": {
        "name": "Will Smith",
        "first": "Will",
        "username": "willsmith",
        "initials": "WS",
        "id_time": datetime(2019, 3, 11, 9, 14, 2, tzinfo=UTC),
    },
    "jessica": {
        "name": "Jessica Jones",
        "first": "Jessica",
        "username": "jessjones",
        "initials": "JJ",
        "id_time": datetime(2020, 9, 2, 16, 40, 51, tzinfo=UTC),
    },
    "amara": {
        "name": "Amara Okafor",
        "first": "Amara",
        "username": "amaraokafor",
        "initials": "AO",
        "id_time": datetime(2021, 1, 18, 8, 3, 27, tzinfo=UTC),
    },
    "diego": {
        "name": "Diego Ramírez",
        "first": "Diego",
        "username": "diegoramirez",
        "initials": "DR",
        "id_time": datetime(2018, 6, 25, 19, 22, 9, tzinfo=UTC),
    },
}


def make_members(rng: random.Random) -> dict[str, dict]:
    ids = IdMaker(rng)
    out = {}
    for key, p in PEOPLE.items():
        mid = ids(p["id_time"])
        avatar = f"{rng.getrandbits(128):032x}"
        aa = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}"
        out[key] = {
            "id": mid,
            "aaId": f"712020:{aa}",
            "activityBlocked": False,
            "avatarHash": avatar,
            "avatarUrl": f"https://trello-members.s3.amazonaws.com/{mid}/{avatar}",
            "bio": "",
            "bioData": None,
            "confirmed": True,
            "fullName": p["name"],
            "idEnterprise": None,
            "idEnterprisesDeactivated": [],
            "idMemberReferrer": None,
            "idPremOrgsAdmin": [],
            "initials": p["initials"],
            "memberType": "normal",
            "nonPublic": {},
            "nonPublicAvailable": True,
            "products": [],
            "url": f"https://trello.com/u/{p['username']}",
            "username": p["username"],
            "dateLastImpression": None,
            "status": "disconnected",
        }
    return out


def member_creator(m: dict) -> dict:
    return {
        "id": m["id"],
        "activityBlocked": False,
        "avatarHash": m["avatarHash"],
        "avatarUrl": m["avatarUrl"],
        "fullName": m["fullName"],
        "idMemberReferrer": None,
        "initials": m["initials"],
        "nonPublic": {},
        "nonPublicAvailable": True,
        "username": m["username"],
    }


# --------------------------------------------------------------------------------------------------
# content. Texts are about the person whose pool they are in; the generator adds the attribution.
# Best moments carry the competency label they illustrate (label names of board 1; board 2 maps them).

BEST = {
    "will": [
        ("Ran the billing DB failover drill, recovered in 4 min (target 15)", "Technical depth"),
        ("Got the PM to cut the CSV import from v1 — first time I said no and it stuck", "Influence"),
        ("Tomasz shipped his first PR to billing and I only left 3 comments", "Mentoring"),
        ("Shadow traffic on PG16 at 0.02% diff for a whole week", "Technical depth"),
        ("finance team sent a thank-you for the invoice rounding fix", "Delivery"),
        (
            "Led the incident review for the webhook outage; people said it felt blameless for once",
            "Communication",
        ),
        (
            "Wrote the retry-queue design doc BEFORE coding. 9 comments, caught the idempotency bug on paper",
            "Technical depth",
        ),
        ("Billing cutover to Postgres 16: zero data loss, 11 min read-only window", "Delivery"),
        ("Admitted in standup I'd underestimated the dedup work by a week, and nobody died", "Humility"),
        ("Tomasz handled a P2 on his own at 2am and wrote a great summary", "Mentoring"),
        ("Eng Summit talk accepted!! 🎉", "Communication"),
        ("Priya asked me to review the Q4 roadmap scope before it went to leadership", "Influence"),
        ("Design doc template I made got adopted by two other teams", "Influence"),
        ("the talk went well — 140 people, good questions about the shadow-traffic setup", "Communication"),
        ("Tomasz ran the on-call handover meeting himself, I just listened", "Mentoring"),
    ],
    "jessica": [
        (
            "Found the root cause of the 502s: keep-alive mismatch between the LB and gunicorn",
            "Technical depth",
        ),
        ("Raised the caching concern in arch review before anyone else", "Influence"),
        ("Shipped the ledger schema migration without a rollback", "Delivery"),
        ("On-call week with zero pages after the alert cleanup 😌", "Delivery"),
        ("Paired with Sam on his first Terraform change; he did the apply himself", "Mentoring"),
        ("Wrote the on-call handbook chapter on escalation, already linked from 4 runbooks", "Communication"),
        ("Got the platform team to agree to a shared rollback checklist", "Influence"),
        ("Asked 'what would make this reversible?' in arch review and it changed the plan", "Influence"),
        ("Flaky test rate in CI down from 4.1% to 0.8%", "Technical depth"),
        ("Handed the disk-alert follow-ups to Tomasz with a clear note and he nailed them", "Mentoring"),
        (
            "Presented the on-call metrics at the all-hands, first time speaking to the whole org",
            "Communication",
        ),
        ("Told the director the Q3 date was unrealistic, with data. Date moved.", "Influence"),
        ("postmortem for the DNS incident praised by the VP as 'the model one'", "Communication"),
        ("Said 'I don't know, let me find out' in the architecture review instead of bluffing", "Humility"),
        ("Promo packet draft reviewed by my manager: 'strong case'", None),
    ],
    "amara": [
        ("Relevance v2 experiment design signed off by the search PM, metric agreed up front", "Delivery"),
        ("Fixed the Safari flexbox bug in 20 min after asking Kenji", "Humility"),
        ("First accessibility pass on checkout: 23 issues found, 15 fixed same week", "Technical depth"),
        ("Convinced design to drop the carousel on mobile, with the perf numbers", "Influence"),
        ("Paired with Lucía on her first GraphQL resolver, she definately gets it now", "Mentoring"),
        ("Relevance v2: +3.4% click-through, stat sig after 10 days", "Delivery"),
        ("PR description for the debounce change got quoted in the team newsletter", "Communication"),
        ("Frontend guild talk on Web Vitals — 60 people, recording shared by the CTO", "Communication"),
        ("p95 on /search from 520ms to 380ms with the query cache", "Technical depth"),
        ("Asked for help on the SSR hydration bug after an hour. Fixed by lunch.", "Humility"),
        ("Proposed the PR template change; merged with 12 👍", "Influence"),
        (
            "Screen-reader testing session with the accessibility consultant went really well",
            "Technical depth",
        ),
        ("Lucía presented her first demo and credited the pairing sessions", "Mentoring"),
        ("Accessibility audit: all but 2 criticals fixed", "Technical depth"),
        ("search latency dashboard is now the thing people open in standup", "Influence"),
    ],
    "diego": [
        ("Code review on the cache PR where Kenji said he learnt something", "Mentoring"),
        ("Data-retention design doc draft out, 30 comments on the first day", "Communication"),
        (
            "Kafka consumer lag fixed: batch size + a missing index, lag from 40 min to 30 s",
            "Technical depth",
        ),
        ("Lucía's PR got merged after my review with suggestions instead of 'no'", "Mentoring"),
        ("Said 'I was wrong about the index' in the design review. Felt weird, went fine.", "Humility"),
        ("Deploy tooling: canary step merged, 3 teams using it", "Delivery"),
        ("Data-retention design doc approved by legal AND security in one review", "Influence"),
        ("Timeboxed the memory-leak hunt to a day and found it in 6 hours", "Technical depth"),
        ("Deleted 1.2 TB of expired PII under the new retention job, audited", "Delivery"),
        ("Interns' demo day — both of 'my' interns shipped to production", "Mentoring"),
        ("Wrote daily updates during the retention-job incident; stakeholders were calm", "Communication"),
        ("Ran the blameless postmortem workshop pilot with 5 volunteers", "Communication"),
        ("Got buy-in from 3 teams for the shared schema registry", "Influence"),
        ("Retention job passed the external audit with no findings", "Delivery"),
        ("Workshop invite out and 18 people signed up already", "Communication"),
    ],
    "will@advocate": [
        ("Self-review draft done two weeks early, for once", "Communication"),
        ("Finance's stakeholder feedback: 'Will makes billing boring, in the best way'", "Delivery"),
        ("Ran the billing/ledger sync across two teams without a manager in the room", "Influence"),
        ("Cutover retro: Amara called it 'Staff-shaped work'", "Technical depth"),
        ("Asked the platform lead for critical feedback, and got it", "Humility"),
        ("Put Tomasz forward to lead the on-call rotation", "Mentoring"),
        ("After the Eng Summit talk, 3 teams asked for the shadow-traffic tooling", "Influence"),
        ("Promo case outline fits on one page and every line has evidence", "Communication"),
    ],
}

WORST = {
    "will": [
        "Said yes to the reporting export in standup without asking what drops out",
        "Webhook outage: 47 min, my deploy, missing feature flag",
        "Spent 3 days on the dedup job and then found the library already does it",
        "Roadmap meeting ran over and I didnt push back when the scope doubled",
        "Merged the PG16 config change on a Friday. Never again.",
        "Felt like I was in meetings all week and wrote no code",
        "Started coding the webhook fan-out before the doc was reviewed; had to redo half",
        "Tomasz's first on-call shift: I was unreachable for 40 min (train) — felt awful",
        "the cert study plan is dead, I haven't opened the book in 3 weeks",
        "Q4 planning: agreed to 3 projects in parallel, I know better",
        "Got defensive in the incident review when someone questioned the alert thresholds",
        "Missed the deadline on the playbook draft. Again.",
        "Talk dry run was a mess, 35 min for a 20 min slot",
        "long week — the invoice PDF service fell over twice during month-end close and I was the only one who knew the code well enough to fix it, which is exactly the bus-factor problem we said we'd solve in April, so I'm annoyed at myself more than at the service",
        "Playbook still not published",
    ],
    "will@advocate": [
        "Self-review still reads like a list of tickets",
        "Priya's feedback: I disappear into the code when things get political",
        "Skipped the architecture guild three times in a row",
        "No written record of the billing decisions from Q1, hard to use as evidence",
        "Took credit for the alert cleanup in the summary when Jessica did half of it. Fixed it after.",
        "Too many commitments open at once and half of them late",
        "Promo timeline unclear: manager says 'next cycle, maybe'",
        "playbook still not out, and Amara noticed",
    ],
    "jessica": [
        "Had the answer about queue ordering in arch review but only said it to Will afterwards",
        "Pager went off 9 times in one night, all the same flapping disk alert",
        "Rollback of the schema change took 2 hours because nobody had tested it",
        "Did all three incident follow-ups myself again, worked till 11pm twice",
        "felt ignored in the platform sync, my proposal was skipped for time",
        "Handbook chapter deadline slipped because of on-call",
        "Broke staging for half a day with a Terraform typo",
        "Argued too hard about naming in a code reveiw, Sam looked crushed",
        "the Rust book is gathering dust",
        "Another week of 'quick questions' eating my mornings",
        "DNS incident: 1h20 partial outage during my on-call",
        "Missed Sam's demo because of an incident",
        "Promo conversation postponed to January",
        "Took the on-call swap nobody wanted and regretted it immediately 😩",
        "Bluffed an answer about the CDN config in arch review and was wrong",
    ],
    "amara": [
        "Stuck 2 days on the flaky e2e test before asking anyone",
        "Relevance v2 first rollout reverted: forgot the feature flag default in prod",
        "The autocomplete PR had just 'fix stuff' as description, reviewer was confused",
        "Checkout a11y audit: found our modal traps focus. Embarrassing, we shipped it in March",
        "Design review went badly, I couldn't explain the trade-off clearly",
        "p95 went UP after the caching change for logged-in users",
        "Overcommitted to guild talk + audit + on-call in the same fortnight",
        "spent a whole afternoon on a CSS bug that was a browser extension 🙃",
        "Missed the accessibility consultant's session, double-booked",
        "Latency goal date slipped, the query cache needs a redesign",
        "Got a blunt review from Diego and took it personally for a day",
        "Did not ask for help on the SSR bug for 3 days (relapse!)",
        "Lost a day to the staging database refresh",
        "Frustrated that the /search latency goal keeps slipping",
        "Too many Slack pings, no focus time",
    ],
    "diego": [
        "Left 4 'no, do it differently' comments on Lucía's PR without explaining",
        "Kafka lag investigation dragged 5 days with no update to anyone",
        "Design doc comments piled up (48) and I avoided them for a week",
        "Interns sat idle one morning because I hadn't prepared tasks",
        "Memory leak: 3 days and no update in the channel",
        "Deploy tooling maintainership: realised I don't have the time",
        "Retention job deleted a partition it shouldn't have on staging. Caught it, but scary.",
        "Snapped at a PM in the incident channel",
        "Too much context switching between retention, registry and on-call",
        "Reviewed 14 PRs in one day and the quality of my comments showed it",
        "Audit prep ate a whole sprint  ",
        "Forgot to credit Ana in the release notes",
        "Schema registry meeting went in circles for 90 min",
        "postmortem workshop had to be rescheduled twice",
        "Missed my own commitment to write daily updates, twice",
    ],
}

FOCUS = {  # (first lunch index, focus point)
    "will": [
        (0, "Push back on scope early instead of absorbing it"),
        (7, "Write the design doc before writing the code"),
    ],
    "will@advocate": [
        (0, "Make my impact visible beyond the team"),
        (4, "Close the loop: finish before starting"),
    ],
    "jessica": [
        (0, "Say it in the room: speak up in architecture review"),
        (9, "Delegate on-call follow-ups instead of doing them all myself"),
    ],
    "amara": [
        (0, "Ask for help after 2 hours stuck, not 2 days"),
        (6, "Make the why visible: write the context into PR descriptions"),
    ],
    "diego": [
        (0, "Give code review feedback that teaches, not just blocks"),
        (8, "Timebox investigations and share progress daily"),
    ],
}

# Observations (comments) about a person's current focus point, written by their peer.
OBSERVATIONS = {
    "will@advocate": [
        [
            "Read your self-review draft: the billing section finally says what changed for the business, not just what you built.",
            "praise: Finance's VP mentioned you unprompted in the ops review. That's the visibility we talked about.",
            "@willsmith you presented the cutover plan to the directors yourself — exactly it 👍",
        ],
        [
            "concern: Counted 6 open commitments on your lunch board with Jessica. Pick two, drop the rest?",
            "The playbook is still a draft. What would 'done' look like by Friday?",
            "praise: Saw you close out the dedup work before picking up the registry ask. Nice.",
        ],
    ],
    "will": [
        [
            "praise: Saw you push back on scope in the planning meeting — that's the focus point in action. The 'what do we drop?' question landed well.",
            "concern: Hmm, you said yes to the reporting export in standup without asking what moves out. Not a disaster, but that's the pattern we talked about.",
            "@willsmith the 'let's cut the CSV import from v1' message in #billing was great. Short, with a reason, and Priya agreed in 5 min 👍",
            "Noticed you wrote the trade-offs down before saying no to the dashboard ask. Much easier for the PM to accept.",
        ],
        [
            "praise: The retry-queue design doc went out before a single line of code. Three people commented and caught the idempotency issue early 👏",
            "concern: You started coding the webhook fan-out before the doc was reviewed… I get the deadline pressure, just flagging.",
            "Design doc for invoice dedup was short and clear. The 'alternatives considered' section saved us a meeting.",
            "saw the RFC template you made from your docs — Tomasz used it already",
        ],
    ],
    "jessica": [
        [
            "praise: You raised the caching concern in arch review today before anyone else did. That's exactly the focus point.",
            "concern: Arch review: you had the right answer about queue ordering but told me afterwards, not the room. Next time say it!",
            "@jessjones great question to the platform team about rolling back the schema change. People nodded 👍",
            "Two comments in arch review this week and both changed the design. Keep going.",
        ],
        [
            "praise: Handed the disk-alert follow-up to Tomasz with a clear note instead of fixing it yourself at 11pm. Nice.",
            "concern: You did all three incident follow-ups yourself again this rotation. Let's talk about it at lunch.",
            "Saw the on-call handover doc with an owner per action item. That's the delegation working.",
        ],
    ],
    "amara": [
        [
            "praise: You pinged #frontend after an hour on the Safari flexbox bug instead of grinding all day. Fixed in 20 min with Kenji's help.",
            "concern: Spent most of Thursday alone on the flaky e2e test before asking... I know, it's hard.",
            "@amaraokafor asked for a pairing session on the GraphQL schema early — good call, saved you a day 👍",
        ],
        [
            "praise: PR #4812 description explains why we debounce search at 250ms, with the numbers. Approved without questions.",
            "Great context in the feature-flag cleanup PR: linked the incident and the decision. This is the focus point exactly.",
            "concern: The autocomplete PR had just 'fix stuff' as description 😅",
            "Saw your PR template proposal — making the 'why' section mandatory. Nice leverage.",
        ],
    ],
    "diego": [
        [
            "praise: Your review on the cache PR explained why the TTL matters, with a link to the incident. Kenji said he learnt something. That's the focus point.",
            "concern: Review on Lucía's PR was just 'no, do it differently' x4. I know you were busy but that one stung her a bit.",
            "@diegoramirez the suggestion-style comments on the migration PR were great — teaching and unblocking at the same time 👍",
        ],
        [
            "You timeboxed the Kafka lag investigation to a day and posted an update at 5pm. Made planning easy for everyone.",
            "concern: Three days on the memory leak with no update in the channel. Not great for the people waiting on it.",
            "Daily updates on the retention job issue were short and clear 👍",
        ],
    ],
}

COMMITMENTS = {
    "will@advocate": [
        "Send Amara the self-review draft",
        "Ask finance for written stakeholder feedback",
        "Go to the architecture guild twice",
        "Write a decision log for billing Q1-Q2",
        "Correct the alert-cleanup credit in the summary",
        "Close or drop 3 open commitments",
        "Ask my manager for the promo criteria in writing",
        "Publish the playbook draft, even if rough",
        "Update the promo case outline with the summit feedback",
        "Send Amara the 3 stakeholder letters",
        "Book the next check-in before leaving",
        "Turn the decision log into a page on the wiki",
    ],
    "will": [
        "Send the migration runbook to SRE for review",
        "Book a 1:1 with Priya about roadmap scope",
        "Fix the flaky invoice PDF test",
        "Pair with Tomasz on his first on-call handover",
        "Write up the PG16 cutover plan with a rollback section",
        "Read 'Staff Engineer' ch. 3 and share notes",
        "Ask for feedback on the incident review I led",
        "Write the first draft of the retry-queue design doc",
        "Clean up the billing alerts (remove the 12 noisy ones)",
        "Submit the Eng Summit talk abstract",
        "Dry run of the talk with Jessica",
        "Draft the incident-review playbook outline",
        "Review Tomasz's design doc within 2 days",
        "Write up the Q4 scope trade-offs for Priya",
        "Put the playbook draft in Confluence and ask 3 people for comments",
        "Decommission the old billing replica",
        "Send Tomasz the list of alerts he should know by heart",
        "Say no to one meeting a week (and say why)",
        "Post the cutover retro notes in #eng",
        "Ask Priya what 'Staff' looks like on her team",
        "Get two reviewers on the dedup design doc before coding",
        "Timebox the invoice PDF investigation to half a day",
        "Write the talk's 'lessons learned' slide first",
        "Hand the billing on-call runbook to Tomasz for a review",
        "Read Jessica's on-call handbook chapter and comment",
    ],
    "jessica": [
        "Say one thing in every arch review this month",
        "Silence the flapping disk alert properly (fix the threshold, not mute)",
        "Write the escalation chapter of the on-call handbook",
        "Test the schema rollback on staging before the next migration",
        "Pair with Sam on a Terraform change",
        "Send the rollback checklist proposal to the platform team",
        "Prepare on-call metrics slides for the all-hands",
        "Apologise to Sam about the naming thread",
        "Hand 2 of the incident follow-ups to someone else",
        "Book focus time blocks every morning",
        "Write the DNS postmortem",
        "Draft the promo packet 'impact' section",
        "Ask my manager for the promo timeline in writing",
        "Write the on-call handover template with owners",
        "Decide: Rust goal, keep or drop?",
        "Share the flaky-test dashboard with the other teams",
        "Bring one question to the platform sync, in writing beforehand",
        "Give Sam the staging access he asked for",
        "Write the CDN config notes so I stop guessing",
        "Collect 3 stakeholder quotes for the promo packet",
        "Turn off Slack notifications 9-11",
        "Run the on-call retro for the DNS incident",
    ],
    "amara": [
        "Post in #frontend after 2h stuck, every time",
        "Fix the feature flag default and re-launch relevance v2",
        "Write the a11y audit plan for checkout",
        "Send the guild talk outline to Diego",
        "Pair with Lucía twice this fortnight",
        "Rewrite 3 old PR descriptions as examples for the team",
        "Propose the PR template change",
        "Book the accessibility consultant session",
        "Profile /search for logged-in users",
        "Write the query-cache redesign note",
        "Fix the focus trap in the checkout modal",
        "Share the latency dashboard in standup",
        "Block 2 no-meeting afternoons a week",
        "Ask Diego for a re-review of the cache redesign",
        "Finish keyboard navigation for filters",
        "Present latency results to the search team",
        "Write the relevance v2 results doc",
        "Ask Kenji for a review of the SSR fix on day one",
        "Send the a11y findings to design",
        "Add the 'why' section to the PR template",
        "Demo keyboard navigation at the guild",
        "Fix the flaky e2e checkout test (or quarantine it)",
    ],
    "diego": [
        "Re-review Lucía's PR with explanations and links",
        "Post a daily update on the Kafka lag investigation",
        "Answer all 48 comments on the retention desing doc",
        "Prepare a week of tasks for the interns",
        "Write the memory-leak timeline and share it",
        "Tell the deploy-tooling team I'm stepping back",
        "Add a dry-run mode to the retention job",
        "Apologise to the PM from the incident channel",
        "Send the postmortem workshop invite",
        "Cap code review to 6 PRs/day and say so in the channel",
        "Write the audit evidence checklist",
        "Credit Ana in the next release notes",
        "Write a one-page proposal for the schema registry",
        "Run the postmortem workshop pilot",
        "Daily update in #retention, every day this week",
        "Book the workshop room for January",
        "Pair with Ana on the retention dashboard",
        "Move the schema registry notes into the design doc",
        "Write the Kafka lag runbook",
        "Review Lucía's next PR within one day",
        "Hand over the deploy tooling on-call slot",
        "Draft the workshop agenda and send it to Amara",
    ],
}

LUNCH_NAMES = [
    "Lunch – Pret",
    "Lunch @ Flat Iron",
    "Peer lunch",
    "lunch: Honest Burgers",
    "Lunch at Dishoom",
    "Lunch (Leon)",
    "Lunch — Franco Manca",
    "Lunch",
    "Peer lunch 🍜",
    "Lunch at Padella",
    "lunch @ the canteen",
    "Lunch - Bao",
    "Peer lunch (walk + sandwiches)",
    "Lunch at Koya",
    "Lunch – Mildreds",
    "Lunch @ Wahaca",
    "Lunch: Rosa's Thai",
]

# --------------------------------------------------------------------------------------------------
# board specifications

BOARDS = [
    {
        "file": "peer-lunch-will-jessica.json",
        "name": "Peer lunch: Will & Jessica",
        "desc": "Fortnightly peer feedback lunch. Best moment, worst moment, focus point — and what we promised.",
        "seed": 20260330,
        "created": datetime(2026, 3, 30, 9, 12, 44, tzinfo=UTC),
        "people": ["will", "jessica"],
        "start": date(2026, 4, 7),
        "slots": 16,
        "skip": [7],  # 4-week gap in July (holidays)
        "lunch_hour": (11, 30),
        "name_offset": 0,
        "top_insert": False,
        "labels": [
            ("Influence", "green"),
            ("Humility", "yellow"),
            ("Technical depth", "blue"),
            ("Mentoring", "purple"),
            ("Delivery", "orange"),
            ("Communication", "sky"),
            ("", "red"),
        ],
        "label_map": {},
        "extra_lists": ["Ideas", "Parking lot"],
        # per lunch index: how the card is dated and how its feedback is attributed
        "name_date": {
            2: "{d:%Y-%m-%d} Lunch at Dishoom",
            4: "{d.day} {mon} {d.year} – ramen",
            5: "{d:%d/%m/%Y} lunch",
        },
        "no_date": [],
        "mode": {3: "at", 6: "name", 10: "split", 12: "name"},
        "desc_lunch": {9: "markdown"},
        "archived_lunch": 1,
        "noise": [
            ("Ideas", "Places to try: Padella, Bao, Koya, that new Korean place", ""),
            (
                "Ideas",
                "Invite Priya for a three-way lunch?",
                "She offered to give us feedback on the roadmap work",
            ),
            (
                "Parking lot",
                "What does 'influence' mean at Staff level?",
                "Ask our managers for examples from the ladder.",
            ),
        ],
    },
    {
        "file": "peer-lunch-amara-diego.json",
        "name": "Peer lunch: Amara & Diego",
        "desc": "",
        "seed": 20260326,
        "created": datetime(2026, 3, 26, 14, 3, 9, tzinfo=UTC),
        "people": ["amara", "diego"],
        "start": date(2026, 4, 2),
        "slots": 17,
        "skip": [9, 13],  # two 4-week gaps (August, October)
        "lunch_hour": (12, 0),
        "name_offset": 5,
        "top_insert": True,
        "labels": [
            ("Influence", "green"),
            ("Humility", "yellow"),
            ("Tech depth", "blue"),
            ("Mentoring", "purple"),
            ("Ownership", "orange"),
            ("Communication", "sky"),
            ("", "black"),
        ],
        "label_map": {"Technical depth": "Tech depth", "Delivery": "Ownership"},
        "extra_lists": ["Ideas"],
        "name_date": {
            3: "{d.day} {mon} {d.year} - tacos",
            5: "{d:%Y-%m-%d} lunch @ Padella",
            8: "{d:%d/%m/%Y} Dishoom again",
        },
        "no_date": [11],
        "mode": {2: "name", 7: "at", 14: "split", 15: "name"},
        "desc_lunch": {12: "lines"},
        "archived_lunch": None,
        "noise": [
            ("Ideas", "Book club? 'The Staff Engineer's Path'", ""),
            ("Ideas", "test", ""),  # archived below
        ],
    },
]

BOARDS.append(
    {
        # A one-person board: Will's monthly check-ins with his advocate Amara. Feedback items carry no
        # attribution at all (the board's single subject), the lists have other names, and "Done" is the
        # done list.
        "file": "advocate-will.json",
        "name": "Will – advocate check-ins",
        "desc": "Monthly check-in with my advocate (Amara). She reads my self-review and stakeholder feedback.",
        "seed": 20260414,
        "created": datetime(2026, 4, 14, 16, 21, 5, tzinfo=UTC),
        "people": ["will", "amara"],
        "subjects": ["will"],
        "pools": {"will": "will@advocate"},
        "start": date(2026, 4, 15),
        "step": 28,
        "slots": 8,
        "skip": [],
        "lunch_hour": (15, 0),
        "name_offset": 0,
        "lunch_names": [
            "Check-in",
            "Check-in (video)",
            "Check-in: self-review",
            "Check-in",
            "Check-in ☕",
            "Check-in",
            "check-in",
            "Check-in — promo case",
        ],
        "lunch_list": "Check-ins",
        "done_list": "Done",
        "top_insert": False,
        "labels": [
            ("Influence", "green"),
            ("Humility", "yellow"),
            ("Technical depth", "blue"),
            ("Mentoring", "purple"),
            ("Delivery", "orange"),
            ("Communication", "sky"),
            ("", "lime"),
        ],
        "label_map": {},
        "extra_lists": [],
        "name_date": {},
        "no_date": [],
        "default_mode": "none",
        "mode": {3: "member"},
        "desc_lunch": {},
        "archived_lunch": None,
        "reschedule_note": "Can we push to 16:00? Stuck in the incident review",
        "first_desc": "Amara is my advocate this cycle. Same format as the peer lunches: best, worst, focus, commitments.",
        "noise": [],
    }
)

# Goals: (owner, title, desc, labels, created, due, key results, outcome)
#   outcome: ("moved", date) | ("dueComplete", date) | ("dropped", date) | ("open", None)
#            | ("created_done", None): created straight in the done list (achieved on its creation day)
#   key results: (text, completed date or None)
GOALS = {
    "Peer lunch: Will & Jessica": [
        (
            "will",
            "Lead the billing-service migration to Postgres 16",
            "Own the plan, the runbook and the cutover. Success = zero data loss, < 15 min read-only.",
            ["Technical depth", "Delivery"],
            date(2026, 4, 8),
            date(2026, 7, 31),
            [
                ("Runbook reviewed by SRE", date(2026, 5, 14)),
                ("Shadow traffic for 2 weeks with < 0.1% diff", date(2026, 6, 4)),
                ("Cutover with zero data loss", date(2026, 7, 22)),
                ("Old cluster decommissioned", date(2026, 7, 28)),
            ],
            ("moved", date(2026, 7, 29)),
        ),
        (
            "will",
            "Give a talk at the internal Eng Summit (October)",
            "Topic: shadow traffic for database migrations.",
            ["Communication", "Influence"],
            date(2026, 5, 20),
            date(2026, 10, 16),
            [
                ("Submit abstract", date(2026, 8, 21)),
                ("Dry run with Jessica", date(2026, 10, 2)),
                ("Deliver the talk", date(2026, 10, 16)),
            ],
            ("dueComplete", date(2026, 10, 16)),
        ),
        (
            "will",
            "Mentor Tomasz through his first on-call rotation",
            "",
            ["Mentoring"],
            date(2026, 6, 3),
            date(2026, 12, 18),
            [
                ("Shadow shift together", date(2026, 7, 10)),
                ("Tomasz primary, me secondary", date(2026, 8, 20)),
                ("Tomasz primary alone", None),
                ("Retro with Tomasz", None),
            ],
            ("open", None),
        ),
        (
            "will",
            "AWS Solutions Architect – Professional certification",
            "Study plan: 4h/week.",
            ["Technical depth"],
            date(2026, 4, 22),
            date(2026, 9, 30),
            [("Finish the course videos", None), ("Two practice exams > 75%", None)],
            ("dropped", date(2026, 8, 26)),
        ),
        (
            "will",
            "Fix the invoice rounding bug for finance",
            "Logged after the fact: it was a one-day fix.",
            ["Delivery"],
            date(2026, 5, 12),
            date(2026, 5, 15),
            [("Patch released", date(2026, 5, 12))],
            ("created_done", None),
        ),
        (
            "will",
            "Write and publish the incident-review playbook",
            "So reviews don't depend on who runs them.",
            ["Influence", "Communication"],
            date(2026, 8, 12),
            date(2026, 10, 30),
            [
                ("Outline", date(2026, 9, 10)),
                ("Draft in Confluence", None),
                ("3 reviewers' comments addressed", None),
            ],
            ("open", None),
        ),
        (
            "jessica",
            "Own the on-call handbook rewrite",
            "The current one is from 2022 and half the links are dead.",
            ["Communication", "Delivery"],
            date(2026, 4, 8),
            date(2026, 6, 30),
            [
                ("Escalation chapter", date(2026, 5, 30)),
                ("Runbook index", date(2026, 6, 24)),
                ("Review with SRE leads", date(2026, 7, 8)),
            ],
            ("moved", date(2026, 7, 9)),
        ),
        (
            "jessica",
            "Speak in architecture review at least once a month",
            "Track in the focus point.",
            ["Influence"],
            date(2026, 4, 22),
            date(2026, 9, 30),
            [
                ("May", date(2026, 5, 27)),
                ("June", date(2026, 6, 17)),
                ("July", date(2026, 7, 22)),
                ("August", date(2026, 8, 19)),
                ("September", date(2026, 9, 16)),
            ],
            ("moved", date(2026, 9, 24)),
        ),
        (
            "jessica",
            "Get CI flaky-test rate below 1%",
            "",
            ["Technical depth", "Delivery"],
            date(2026, 5, 6),
            date(2026, 8, 31),
            [
                ("Quarantine list", date(2026, 5, 21)),
                ("Fix top 10 offenders", date(2026, 7, 15)),
                ("Dashboard", date(2026, 8, 12)),
            ],
            ("dueComplete", date(2026, 8, 14)),
        ),
        (
            "jessica",
            "Learn Rust for the ingestion service",
            "",
            ["Technical depth"],
            date(2026, 4, 22),
            date(2026, 10, 31),
            [("Read the book ch. 1-10", None), ("Port one small service", None)],
            ("dropped", date(2026, 9, 23)),
        ),
        (
            "jessica",
            "Promotion to Senior Engineer: prepare the packet",
            "Evidence from this board + stakeholder feedback.",
            ["Influence", "Communication"],
            date(2026, 9, 9),
            date(2027, 1, 29),
            [
                ("Impact section draft", date(2026, 10, 21)),
                ("Stakeholder feedback from 3 people", None),
                ("Manager review", None),
            ],
            ("open", None),
        ),
    ],
    "Will – advocate check-ins": [
        (
            "will",
            "Promotion case to Staff: evidence pack ready",
            "Self-review, 3 stakeholder letters, manager sign-off.",
            ["Influence", "Communication"],
            date(2026, 4, 16),
            date(2026, 12, 31),
            [
                ("Self-review", date(2026, 6, 3)),
                ("3 stakeholder letters", date(2026, 9, 9)),
                ("Manager sign-off", None),
            ],
            ("open", None),
        ),
        (
            "will",
            "Present at the architecture guild",
            "",
            ["Influence"],
            date(2026, 5, 14),
            date(2026, 8, 31),
            [
                ("Topic agreed", date(2026, 6, 19)),
                ("Slot booked", date(2026, 7, 15)),
                ("Presented", date(2026, 8, 26)),
            ],
            ("moved", date(2026, 8, 27)),
        ),
    ],
    "Peer lunch: Amara & Diego": [
        (
            "amara",
            "Ship the search relevance v2 experiment",
            "A/B test with a clear success metric (CTR) decided up front.",
            ["Delivery", "Technical depth"],
            date(2026, 4, 3),
            date(2026, 6, 30),
            [
                ("Flagged rollout", date(2026, 4, 14)),
                ("Relaunch after the flag fix", date(2026, 5, 29)),
                ("Stat-sig result written up", date(2026, 6, 12)),
            ],
            ("moved", date(2026, 6, 22)),
        ),
        (
            "amara",
            "Present at the frontend guild",
            "",
            ["Communication"],
            date(2026, 4, 17),
            date(2026, 7, 10),
            [("Outline reviewed by Diego", date(2026, 5, 20)), ("Talk", date(2026, 7, 8))],
            ("dueComplete", date(2026, 7, 8)),
        ),
        (
            "amara",
            "Run the accessibility audit of the checkout flow",
            "WCAG 2.2 AA. Fix or ticket every finding.",
            ["Technical depth"],
            date(2026, 6, 12),
            date(2026, 12, 11),
            [
                ("Audit plan", date(2026, 6, 24)),
                ("Automated + manual pass", date(2026, 8, 27)),
                ("Consultant session", date(2026, 9, 15)),
                ("All criticals fixed", None),
            ],
            ("open", None),
        ),
        (
            "amara",
            "Get /search p95 latency below 300 ms",
            "",
            ["Technical depth", "Delivery"],
            date(2026, 7, 10),
            date(2026, 10, 15),
            [
                ("Profile logged-in traffic", date(2026, 8, 25)),
                ("Query cache v2", None),
                ("p95 < 300 ms for 2 weeks", None),
            ],
            ("open", None),
        ),
        (
            "diego",
            "Lead the data-retention design doc through review",
            "Legal + security sign-off needed.",
            ["Influence", "Communication"],
            date(2026, 4, 3),
            date(2026, 6, 15),
            [
                ("Draft", date(2026, 4, 28)),
                ("All comments answered", date(2026, 6, 5)),
                ("Sign-off", date(2026, 6, 24)),
            ],
            ("moved", date(2026, 6, 25)),
        ),
        (
            "diego",
            "Mentor two summer interns",
            "",
            ["Mentoring"],
            date(2026, 5, 15),
            date(2026, 8, 28),
            [
                ("Onboarding plan", date(2026, 6, 1)),
                ("Weekly 1:1s", date(2026, 8, 21)),
                ("Demo day", date(2026, 8, 19)),
            ],
            ("dueComplete", date(2026, 8, 28)),
        ),
        (
            "diego",
            "Become second maintainer of the deploy tooling",
            "",
            ["Technical depth"],
            date(2026, 4, 17),
            date(2026, 9, 30),
            [("Canary step", date(2026, 6, 10)), ("On the maintainer rota", None)],
            ("dropped", date(2026, 7, 24)),
        ),
        (
            "diego",
            "Write up the Kafka lag investigation",
            "Added once it was done, for the record.",
            ["Communication"],
            date(2026, 9, 3),
            date(2026, 9, 4),
            [("Post in #data-eng", date(2026, 9, 3))],
            ("created_done", None),
        ),
        (
            "diego",
            "Run a blameless postmortem workshop for the org",
            "",
            ["Communication", "Mentoring"],
            date(2026, 8, 21),
            date(2027, 1, 22),
            [
                ("Pilot with 5 volunteers", date(2026, 9, 16)),
                ("Invite sent", date(2026, 10, 30)),
                ("Workshop held", None),
            ],
            ("open", None),
        ),
    ],
}


# --------------------------------------------------------------------------------------------------
# the builder


class Board:
    def __init__(self, spec: dict, members: dict[str, dict]):
        self.spec = spec
        self.rng = random.Random(spec["seed"])
        self.ids = IdMaker(self.rng)
        self.members = members
        self.people = spec["people"]  # board members; the first one created the board
        self.subjects = spec.get("subjects", self.people)  # whom the feedback is about
        self.pools = spec.get("pools", {})  # person -> key of their content pools on this board
        self.lunch_list = spec.get("lunch_list", "Lunches")
        self.done_list = spec.get("done_list", "Achieved")
        self.actions: list[dict] = []
        self.cards: list[dict] = []
        self.checklists: list[dict] = []
        self.lists: dict[str, dict] = {}
        self.labels: dict[str, dict] = {}
        self.id_short = 0
        self.commit_next = dict.fromkeys(self.subjects, 0)
        self.expected: dict = {"lunches": [], "commitments": [], "goals": []}
        self.observations_used: dict[tuple[str, int], int] = {}
        created = spec["created"]
        self.id = self.ids(created)
        self.short_link = self.short()
        self.ref = {"id": self.id, "name": spec["name"], "shortLink": self.short_link}
        self.created = created

    # ---- small utilities
    def short(self) -> str:
        return "".join(self.rng.choice(ALNUM) for _ in range(8))

    def ms(self, dt: datetime) -> datetime:
        return dt.replace(microsecond=self.rng.randrange(1000) * 1000)

    def rand_time(self, lo: datetime, hi: datetime) -> datetime:
        span = int((hi - lo).total_seconds())
        return self.ms(lo + timedelta(seconds=self.rng.randrange(max(span, 1))))

    def work_time(self, d: date) -> datetime:
        return self.ms(at(d, self.rng.randrange(8, 17), self.rng.randrange(60), self.rng.randrange(60)))

    def work_time_between(self, lo: date, hi: date) -> datetime:
        return self.work_time(lo + timedelta(days=self.rng.randrange((hi - lo).days + 1)))

    def card_ref(self, card: dict) -> dict:
        return {
            "id": card["id"],
            "name": card["name"],
            "idShort": card["idShort"],
            "shortLink": card["shortLink"],
        }

    def list_ref(self, name: str) -> dict:
        return {"id": self.lists[name]["id"], "name": name}

    def action(self, type_: str, when: datetime, who: str, data: dict, card: dict | None = None) -> dict:
        assert when <= NOW, (type_, when)
        when = when.replace(microsecond=when.microsecond // 1000 * 1000)
        act = {
            "id": self.ids(when),
            "idMemberCreator": self.members[who]["id"],
            "data": data,
            "appCreator": APP_WEB if self.rng.random() < 0.7 else None,
            "type": type_,
            "date": iso(when),
            "limits": None,
            "memberCreator": member_creator(self.members[who]),
        }
        if type_ == "commentCard":
            act["limits"] = {
                "reactions": {
                    "perAction": {"status": "ok", "disableAt": 900, "warnAt": 720},
                    "uniquePerAction": {"status": "ok", "disableAt": 17, "warnAt": 14},
                }
            }
        self.actions.append(act)
        if card is not None:
            card["_last"] = max(card["_last"], when)
            if type_ == "commentCard":
                card["_comments"] += 1
        return act

    # ---- structure
    def add_list(self, name: str, pos: float, who: str, when: datetime) -> None:
        lst = {
            "id": self.ids(when),
            "name": name,
            "closed": False,
            "color": None,
            "idBoard": self.id,
            "pos": pos,
            "subscribed": False,
            "softLimit": None,
            "type": None,
            "datasource": {"filter": False},
            "creationMethod": None,
            "idOrganization": ORG_ID,
            "limits": {
                "cards": {
                    "openPerList": {"status": "ok", "disableAt": 5000, "warnAt": 4000},
                    "totalPerList": {"status": "ok", "disableAt": 1000000, "warnAt": 800000},
                }
            },
        }
        lst["nodeId"] = f"ari:cloud:trello::list/workspace/{ORG_ID}/{lst['id']}"
        self.lists[name] = lst
        self.list_pos = getattr(self, "list_pos", {})
        self.list_pos[name] = []
        self.action("createList", when, who, {"list": {"id": lst["id"], "name": name}, "board": self.ref})

    def next_pos(self, list_name: str) -> float:
        used = self.list_pos[list_name]
        if self.spec["top_insert"] and list_name == self.lunch_list:
            pos = 65536 if not used else used[-1] / 2
        elif list_name in ("Goals", self.done_list) and self.spec["seed"] % 2 == 0:
            pos = BIG + 16384 * len(used)
        else:
            pos = 16384 * (len(used) + 1)
        used.append(pos)
        return int(pos) if float(pos).is_integer() else pos

    def label(self, name: str) -> dict:
        return self.labels[self.spec["label_map"].get(name, name)]

    def add_card(
        self,
        list_name: str,
        name: str,
        when: datetime,
        who: str,
        desc: str = "",
        due: datetime | None = None,
        members: list[str] = (),
        labels: list[str] = (),
    ) -> dict:
        self.id_short += 1
        card = {
            "id": self.ids(when),
            "name": name,
            "desc": desc,
            "idShort": self.id_short,
            "shortLink": self.short(),
            "idList": self.lists[list_name]["id"],
            "pos": self.next_pos(list_name),
            "due": due,
            "dueReminder": None if due is None else self.rng.choice([-1, 1440, 60]),
            "dueComplete": False,
            "closed": False,
            "dateClosed": None,
            "dateCompleted": None,
            "idMembers": [self.members[m]["id"] for m in members],
            "idLabels": [],
            "_labels": [],
            "idMemberCreator": self.members[who]["id"],
            "_checklists": [],
            "_last": when,
            "_comments": 0,
            "_created": when,
        }
        for lab in labels:
            self.add_label(card, lab)
        self.cards.append(card)
        self.action(
            "createCard",
            when,
            who,
            {"card": self.card_ref(card), "list": self.list_ref(list_name), "board": self.ref},
            card,
        )
        return card

    def add_label(self, card: dict, name: str) -> None:
        lab = self.label(name)
        if lab["id"] not in card["idLabels"]:
            card["idLabels"].append(lab["id"])
            card["_labels"].append(lab)

    def set_due(self, card: dict, when: datetime, who: str) -> None:
        ref = self.card_ref(card) | {"due": iso(card["due"])}
        self.action(
            "updateCard",
            when,
            who,
            {
                "list": self.list_ref(self.list_name(card)),
                "board": self.ref,
                "card": ref,
                "old": {"due": None},
            },
            card,
        )

    def list_name(self, card: dict) -> str:
        return next(n for n, lst in self.lists.items() if lst["id"] == card["idList"])

    def add_checklist(
        self,
        card: dict,
        name: str,
        when: datetime,
        who: str,
        items: list[tuple[str, str | None, datetime | None]],
    ) -> dict:
        cl_id = self.ids(when)
        big = self.rng.random() < 0.4
        base = BIG if big else 16384
        cl = {
            "id": cl_id,
            "name": name,
            "idBoard": self.id,
            "idCard": card["id"],
            "pos": base + 16384 * len(card["_checklists"]) if big else 16384 * (len(card["_checklists"]) + 1),
            "limits": {"checkItems": {"perChecklist": {"status": "ok", "disableAt": 200, "warnAt": 160}}},
            "checkItems": [],
            "creationMethod": None,
        }
        self.action(
            "addChecklistToCard",
            when,
            who,
            {"card": self.card_ref(card), "checklist": {"id": cl_id, "name": name}, "board": self.ref},
            card,
        )
        t = when
        for i, (text, about, due) in enumerate(items):
            t = t + timedelta(seconds=self.rng.randrange(8, 90))
            cl["checkItems"].append(
                {
                    "id": self.ids(t),
                    "name": text,
                    "nameData": {"emoji": {}},
                    "pos": base + 16384 * i if big else 16384 * (i + 1),
                    "state": "incomplete",
                    "due": None if due is None else iso(due),
                    "dueReminder": None,
                    "idMember": None if about is None else self.members[about]["id"],
                    "idChecklist": cl_id,
                }
            )
        card["_checklists"].append(cl)
        card["_last"] = max(card["_last"], t)
        self.checklists.append(cl)
        return cl

    def complete(self, card: dict, cl: dict, item: dict, when: datetime, who: str) -> None:
        item["state"] = "complete"
        self.action(
            "updateCheckItemStateOnCard",
            when,
            who,
            {
                "board": self.ref,
                "card": self.card_ref(card),
                "checklist": {"id": cl["id"], "name": cl["name"]},
                "checkItem": {
                    "id": item["id"],
                    "name": item["name"],
                    "state": "complete",
                    "textData": {"emoji": {}},
                },
            },
            card,
        )

    def comment(self, card: dict, text: str, when: datetime, who: str) -> None:
        self.action(
            "commentCard",
            when,
            who,
            {
                "text": text,
                "textData": {"emoji": {}},
                "card": self.card_ref(card),
                "board": self.ref,
                "list": self.list_ref(self.list_name(card)),
            },
            card,
        )

    def edit_desc(self, card: dict, new: str, when: datetime, who: str) -> None:
        old, card["desc"] = card["desc"], new
        self.action(
            "updateCard",
            when,
            who,
            {
                "old": {"desc": old},
                "card": {"desc": new} | self.card_ref(card),
                "board": self.ref,
                "list": self.list_ref(self.list_name(card)),
            },
            card,
        )

    def move(self, card: dict, to: str, when: datetime, who: str) -> None:
        before = self.list_name(card)
        card["idList"] = self.lists[to]["id"]
        card["pos"] = self.next_pos(to)
        self.action(
            "updateCard",
            when,
            who,
            {
                "old": {"idList": self.lists[before]["id"]},
                "card": {"idList": card["idList"]} | self.card_ref(card),
                "board": self.ref,
                "listBefore": self.list_ref(before),
                "listAfter": self.list_ref(to),
            },
            card,
        )

    def mark_due_complete(self, card: dict, when: datetime, who: str) -> None:
        card["dueComplete"] = True
        card["dateCompleted"] = iso(when)
        self.action(
            "updateCard",
            when,
            who,
            {
                "old": {"dueComplete": False},
                "card": {"dueComplete": True} | self.card_ref(card),
                "board": self.ref,
                "list": self.list_ref(self.list_name(card)),
            },
            card,
        )

    def archive(self, card: dict, when: datetime, who: str) -> None:
        card["closed"] = True
        card["dateClosed"] = iso(when)
        self.action(
            "updateCard",
            when,
            who,
            {
                "old": {"closed": False},
                "card": {"closed": True} | self.card_ref(card),
                "board": self.ref,
                "list": self.list_ref(self.list_name(card)),
            },
            card,
        )

    # ---- the story
    def build(self) -> None:
        spec, rng = self.spec, self.rng
        a, b = self.people
        t = self.created
        self.action("createBoard", t, a, {"board": self.ref})
        for i, (name, color) in enumerate(spec["labels"]):
            self.labels[name] = {
                "id": self.ids(t),
                "idBoard": self.id,
                "name": name,
                "color": color,
                "uses": 0,
            }
            del i
        self.membership_ids = [self.ids(t), self.ids(t)]
        t2 = t + timedelta(minutes=2, seconds=13)
        self.action(
            "addMemberToBoard",
            t2,
            a,
            {"board": self.ref, "idMemberAdded": self.members[b]["id"], "memberType": "normal"},
        )
        for i, name in enumerate([self.lunch_list, "Goals", self.done_list, *spec["extra_lists"]]):
            self.add_list(
                name,
                16384 * (i + 1) if i < 3 else BIG + 16384 * i,
                a,
                t2 + timedelta(minutes=1 + i, seconds=rng.randrange(60)),
            )

        slots = [spec["start"] + timedelta(days=spec.get("step", 14) * k) for k in range(spec["slots"])]
        dates = [d for k, d in enumerate(slots) if k not in spec["skip"]]
        self.lunch_dates = dates
        goal_events = self.plan_goals()
        lunches = []
        for idx, d in enumerate(dates):
            lunches.append(self.lunch(idx, d, dates[idx + 1] if idx + 1 < len(dates) else None))
        self.goals(goal_events)
        for list_name, name, desc in spec["noise"]:
            when = self.work_time(dates[rng.randrange(2, 9)])
            card = self.add_card(list_name, name, when, rng.choice(self.people), desc=desc)
            if name == "test":
                self.archive(card, when + timedelta(seconds=41), card_owner(self, card))
        if spec["archived_lunch"] is not None:
            card = lunches[spec["archived_lunch"]]
            self.archive(card, self.work_time(dates[spec["archived_lunch"] + 3]), a)

    def attributed(self, mode: str, who: str, text: str) -> tuple[str, str | None]:
        p = PEOPLE[who]
        if mode == "member":
            return text, who
        if mode == "at":
            return f"@{p['username']} {text}", None
        if mode == "name":
            return f"{p['first']}: {text}", None
        return text, None  # split: the checklist name says who; none: the board's single subject

    def pool(self, who: str) -> str:
        return self.pools.get(who, who)

    def focus_of(self, who: str, idx: int) -> tuple[int, str]:
        focus = FOCUS[self.pool(who)]
        phase, text = 0, focus[0][1]
        for n, (start, t) in enumerate(focus):
            if idx >= start:
                phase, text = n, t
        return phase, text

    def lunch(self, idx: int, d: date, next_d: date | None) -> dict:
        spec, rng = self.spec, self.rng
        a, b = self.people
        hh, mm = spec["lunch_hour"]
        names = spec.get("lunch_names", LUNCH_NAMES)
        lunch_at = at(d, hh, mm)
        if idx in spec["name_date"]:
            name, due, source = spec["name_date"][idx].format(d=d, mon=MONTHS[d.month - 1]), None, "name"
        elif idx in spec["no_date"]:
            name, due, source = "Lunch at the Korean place", None, "created"
        else:
            name, due, source = names[(idx + spec["name_offset"]) % len(names)], lunch_at, "due"
        # created the morning of the lunch, or the afternoon before; the undated one right after lunch
        if source == "created":
            created = self.ms(lunch_at + timedelta(minutes=rng.randrange(50, 80), seconds=rng.randrange(60)))
        elif rng.random() < 0.25:
            created = self.ms(
                at(d - timedelta(days=1), rng.randrange(14, 18), rng.randrange(60), rng.randrange(60))
            )
        else:
            created = self.ms(at(d, rng.randrange(7, 11), rng.randrange(60), rng.randrange(60)))
        creator = a if idx % 3 else b
        mode = spec["mode"].get(idx, spec.get("default_mode", "member"))
        desc_style = spec["desc_lunch"].get(idx)
        # the feedback of this lunch
        best = {p: BEST[self.pool(p)][idx % len(BEST[self.pool(p)])] for p in self.subjects}
        worst = {p: WORST[self.pool(p)][idx % len(WORST[self.pool(p)])] for p in self.subjects}
        focus = {p: self.focus_of(p, idx)[1] for p in self.subjects}
        if idx == 5:
            focus[a] = focus[a].lower() + " "  # somebody typed it in a hurry
        desc = ""
        if desc_style is None and idx == 0:
            desc = spec.get(
                "first_desc",
                "First one! Format: best moment, worst moment, focus point for each of us. "
                "Commitments with a date if there is one.",
            )
        card = self.add_card(self.lunch_list, name, created, creator, desc=desc, due=due)
        if due is not None and rng.random() < 0.5:
            self.set_due(card, created + timedelta(seconds=rng.randrange(20, 200)), creator)
        if idx % 2 == 0 or idx in (3, 7):
            for p in self.subjects:
                if best[p][1]:
                    self.add_label(card, best[p][1])
        self.expected["lunches"].append(
            {
                "card": card["id"],
                "name": name,
                "date": d.isoformat(),
                "date_source": source,
                "archived": idx == spec["archived_lunch"],
                "format": desc_style or mode,
            }
        )

        # checklists typed during/after lunch
        t = self.ms(lunch_at + timedelta(minutes=rng.randrange(25, 70)))
        if source == "created":
            t = created + timedelta(minutes=3)
        if desc_style is not None:
            # each subject adds their own lines to the description: Trello records who made each edit
            for k, p in enumerate(self.subjects):
                t = t + timedelta(minutes=rng.randrange(3, 30))
                self.edit_desc(
                    card, self.desc_text(desc_style, self.subjects[: k + 1], best, worst, focus), t, p
                )
        commitments: dict[str, list[tuple[str, datetime | None]]] = {}
        for p in self.subjects:
            n = 1 if rng.random() < 0.75 else 2
            if next_d is None:
                n = 2  # the last lunch: promises still running on 2026-11-15
            if idx in (4, 11):
                n = 0 if p == b else n  # one of them made no promise this time
            pool = COMMITMENTS[self.pool(p)]
            items = []
            for _ in range(n):
                text = pool[self.commit_next[p] % len(pool)]
                self.commit_next[p] += 1
                due_c = None
                if next_d is None or idx == 0 or idx == spec["archived_lunch"] or rng.random() < 0.4:
                    off = rng.randrange(5, 13) if next_d is not None else rng.randrange(10, 25)
                    due_c = at(d + timedelta(days=off), 17)
                items.append((text, due_c))
            commitments[p] = items
        if desc_style is None:
            sections = [
                ("Best moment", {p: [best[p][0]] for p in self.subjects}),
                ("Worst moment", {p: [worst[p]] for p in self.subjects}),
                ("Focus", {p: [focus[p]] for p in self.subjects}),
                ("Commitments", {p: [c[0] for c in commitments[p]] for p in self.subjects}),
            ]
            created_items: dict[str, list] = {p: [] for p in self.subjects}
            for title, per_person in sections:
                dues = (
                    {p: [c[1] for c in commitments[p]] for p in self.subjects}
                    if title == "Commitments"
                    else None
                )
                if mode == "split":
                    groups = [(f"{title} - {PEOPLE[p]['first']}", [p]) for p in self.subjects]
                else:
                    groups = [(title, list(self.subjects))]
                for cl_name, ps in groups:
                    items = []
                    for p in ps:
                        for j, text in enumerate(per_person[p]):
                            text2, member = self.attributed(mode, p, text)
                            items.append((text2, member, dues[p][j] if dues else None))
                    if not items:
                        continue
                    t = t + timedelta(seconds=rng.randrange(30, 240))
                    cl = self.add_checklist(card, cl_name, t, rng.choice(self.people), items)
                    if title == "Commitments":
                        k = 0
                        for p in ps:
                            for _ in per_person[p]:
                                created_items[p].append((cl, cl["checkItems"][k]))
                                k += 1
            for p in self.subjects:
                for (cl, item), (_text, due_c) in zip(created_items[p], commitments[p], strict=True):
                    self.commitment(card, cl, item, p, d, due_c, next_d, idx)
        # observations about the focus points, by the peer, between this lunch and the next
        first, last = d + timedelta(days=1), (next_d or NOW.date()) - timedelta(days=1)
        for p in self.subjects:
            other = next(x for x in self.people if x != p)
            phase, _ = self.focus_of(p, idx)
            pool = OBSERVATIONS[self.pool(p)][phase]
            used = self.observations_used.setdefault((p, phase), 0)
            if (idx + (p == b)) % 3 != 2 and first <= last and used < len(pool):
                # each observation once: a real peer does not post the same comment twice
                self.observations_used[(p, phase)] = used + 1
                self.comment(card, pool[used], self.work_time_between(first, last), other)
        if idx in (6, 13):
            self.comment(
                card,
                spec.get("reschedule_note", "Moved to 13:00, sorry — prod incident ran over"),
                created + timedelta(minutes=rng.randrange(5, 25), seconds=rng.randrange(60)),
                creator,
            )
        return card

    @staticmethod
    def desc_text(style: str, persons: list[str], best: dict, worst: dict, focus: dict) -> str:
        """A lunch description in sections, holding the lines of `persons` only."""
        if style == "markdown":
            return "\n".join(
                [
                    "Notes typed up after lunch (Trello app was being weird with checklists)",
                    "",
                    "## Best moment",
                    *[f"- {PEOPLE[p]['first']}: {best[p][0]}" for p in persons],
                    "",
                    "## Worst moment",
                    *[f"- {PEOPLE[p]['first']}: {worst[p]}" for p in persons],
                    "",
                    "## Focus",
                    *[f"- {PEOPLE[p]['first']}: {focus[p]}" for p in persons],
                    "",
                ]
            )
        return "\r\n".join(
            [
                "Best moment:",
                *[f"@{PEOPLE[p]['username']} {best[p][0]}" for p in persons],
                "",
                "Worst moment:",
                *[f"@{PEOPLE[p]['username']} {worst[p]}" for p in persons],
                "",
                "Focus:",
                *[f"@{PEOPLE[p]['username']} {focus[p]}" for p in persons],
            ]
        )

    def commitment(
        self,
        card: dict,
        cl: dict,
        item: dict,
        who: str,
        d: date,
        due: datetime | None,
        next_d: date | None,
        idx: int,
    ) -> None:
        rng = self.rng
        deadline = due.date() if due is not None else next_d
        if deadline is None:
            raise AssertionError("every last-lunch commitment has a due date")
        roll = rng.random()
        completed = None
        if deadline >= NOW.date():
            # not yet due: some already done (kept), the rest open
            if roll < 0.2 and (NOW.date() - d).days >= 3:
                completed = self.work_time_between(d + timedelta(days=1), NOW.date() - timedelta(days=1))
        elif roll < 0.55:
            completed = self.work_time_between(d + timedelta(days=1), deadline - timedelta(days=1))
        elif roll < 0.75:
            late_end = min(deadline + timedelta(days=12), NOW.date() - timedelta(days=1))
            if late_end >= deadline + timedelta(days=2):
                completed = self.work_time_between(deadline + timedelta(days=2), late_end)
        if completed is not None:
            self.complete(card, cl, item, completed, who)
        if completed is not None:
            status = "kept" if completed.date() <= deadline else "late"
        else:
            status = "broken" if deadline < NOW.date() else "open"
        self.expected["commitments"].append(
            {
                "card": card["id"],
                "item": item["id"],
                "who": who,
                "text": item["name"],
                "lunch": d.isoformat(),
                "due": None if due is None else iso(due),
                "deadline": deadline.isoformat(),
                "completed": None if completed is None else iso(completed),
                "status": status,
            }
        )

    def plan_goals(self) -> list:
        return GOALS[self.spec["name"]]

    def goals(self, goal_specs: list) -> None:
        rng = self.rng
        a, b = self.people
        for owner, title, desc, labels, created_d, due_d, krs, (outcome, when_d) in goal_specs:
            other = b if owner == a else a
            created = self.work_time(created_d)
            # a goal written down after the fact goes straight into the done list
            card = self.add_card(
                self.done_list if outcome == "created_done" else "Goals",
                title,
                created,
                owner,
                desc=desc,
                due=at(due_d, 16),
                members=[owner],
                labels=labels,
            )
            if rng.random() < 0.5:
                self.set_due(card, created + timedelta(seconds=rng.randrange(30, 400)), owner)
            cl = self.add_checklist(
                card,
                "Key results",
                created + timedelta(minutes=rng.randrange(2, 9)),
                owner,
                [(kr, None, None) for kr, _ in krs],
            )
            for (_kr, done_d), item in zip(krs, cl["checkItems"], strict=True):
                if done_d is not None:
                    ticked = self.work_time(done_d)
                    if ticked <= created:
                        ticked = created + timedelta(minutes=rng.randrange(3, 20))
                    self.complete(card, cl, item, ticked, owner)
            status, achieved = "open", None
            if outcome == "moved":
                when = self.work_time(when_d)
                self.move(card, self.done_list, when, owner)
                self.comment(
                    card,
                    f"Done 🎉 {'On time.' if when_d <= due_d else 'A bit late but done.'}",
                    when + timedelta(minutes=rng.randrange(1, 30)),
                    other,
                )
                status, achieved = "achieved", when
            elif outcome == "dueComplete":
                when = self.work_time(when_d)
                self.mark_due_complete(card, when, owner)
                status, achieved = "achieved", when
            elif outcome == "created_done":
                status, achieved = "achieved", created
            elif outcome == "dropped":
                when = self.work_time(when_d)
                self.comment(
                    card,
                    "Dropping this one — it stopped being the most important thing, and that's ok.",
                    when - timedelta(minutes=rng.randrange(2, 20)),
                    owner,
                )
                self.archive(card, when, owner)
                status, achieved = "dropped", when
            self.expected["goals"].append(
                {
                    "card": card["id"],
                    "owner": owner,
                    "title": title,
                    "due": due_d.isoformat(),
                    "status": status,
                    "overdue": status == "open" and due_d < NOW.date(),
                    "achieved": None if achieved is None or status != "achieved" else iso(achieved),
                    "dropped": iso(achieved) if status == "dropped" else None,
                }
            )

    # ---- export
    def export(self) -> dict:
        for card in self.cards:
            for lab in card["_labels"]:
                lab["uses"] += 1
        label_names = {
            c: ""
            for base in ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
            for c in [base]
        }
        for suffix in ("_dark", "_light"):
            for base in (
                "green",
                "yellow",
                "orange",
                "red",
                "purple",
                "blue",
                "sky",
                "lime",
                "pink",
                "black",
            ):
                label_names[base + suffix] = ""
        for lab in self.labels.values():
            if label_names.get(lab["color"]) == "":
                label_names[lab["color"]] = lab["name"]
        actions = sorted(self.actions, key=lambda x: (x["date"], x["id"]), reverse=True)
        last = max(x["date"] for x in actions)
        short = self.short_link
        return {
            "id": self.id,
            "nodeId": f"ari:cloud:trello::board/workspace/{ORG_ID}/{self.id}",
            "name": self.spec["name"],
            "desc": self.spec["desc"],
            "descData": None,
            "closed": False,
            "creationMethod": None,
            "creationMethodError": None,
            "creationMethodLoadingStartedAt": None,
            "dateClosed": None,
            "idOrganization": ORG_ID,
            "idEnterprise": None,
            "limits": BOARD_LIMITS,
            "pinned": False,
            "starred": False,
            "url": f"https://trello.com/b/{short}/{slug(self.spec['name'])}",
            "prefs": BOARD_PREFS,
            "shortLink": short,
            "subscribed": False,
            "labelNames": label_names,
            "powerUps": [],
            "dateLastActivity": last,
            "dateLastView": iso(NOW - timedelta(minutes=47)),
            "shortUrl": f"https://trello.com/b/{short}",
            "idTags": [],
            "datePluginDisable": None,
            "ixUpdate": str(len(actions) + 41),
            "templateGallery": None,
            "enterpriseOwned": False,
            "idBoardSource": None,
            "premiumFeatures": [
                "additionalBoardBackgrounds",
                "additionalStickers",
                "customBoardBackgrounds",
                "customEmoji",
                "customStickers",
                "plugins",
            ],
            "idMemberCreator": self.members[self.people[0]]["id"],
            "type": None,
            "actions": actions,
            "cards": [self.card_json(c) for c in self.cards],
            "checklists": self.checklists,
            "customFields": [],
            "labels": list(self.labels.values()),
            "lists": list(self.lists.values()),
            "members": [self.members[p] for p in self.people],
            "memberships": [
                {
                    "id": mid,
                    "idMember": self.members[p]["id"],
                    "memberType": "admin" if i == 0 else "normal",
                    "unconfirmed": False,
                    "deactivated": False,
                }
                for i, (mid, p) in enumerate(zip(self.membership_ids, self.people, strict=True))
            ],
            "pluginData": [],
        }

    def card_json(self, c: dict) -> dict:
        items = [it for cl in c["_checklists"] for it in cl["checkItems"]]
        open_dues = sorted(it["due"] for it in items if it["due"] and it["state"] != "complete")
        due = None if c["due"] is None else iso(c["due"])
        creator = next(m for m in self.members.values() if m["id"] == c["idMemberCreator"])
        return {
            "id": c["id"],
            "address": None,
            "agent": None,
            "badges": {
                "attachments": 0,
                "fogbugz": "",
                "checkItems": len(items),
                "checkItemsChecked": sum(it["state"] == "complete" for it in items),
                "checkItemsEarliestDue": open_dues[0] if open_dues else None,
                "comments": c["_comments"],
                "description": bool(c["desc"]),
                "due": due,
                "dueComplete": c["dueComplete"],
                "lastUpdatedByAi": False,
                "start": None,
                "attachmentsByType": {"trello": {"board": 0, "card": 0}},
                "externalSource": None,
                "location": False,
                "votes": 0,
                "maliciousAttachments": 0,
                "viewingMemberVoted": False,
                "subscribed": False,
            },
            "checkItemStates": [],
            "closed": c["closed"],
            "coordinates": None,
            "creationMethod": None,
            "creationMethodError": None,
            "creationMethodLoadingStartedAt": None,
            "dueComplete": c["dueComplete"],
            "dateClosed": c["dateClosed"],
            "dateLastActivity": iso(c["_last"]),
            "dateCompleted": c["dateCompleted"],
            "dateViewedByCreator": None,
            "desc": c["desc"],
            "descData": {"emoji": {}},
            "due": due,
            "dueReminder": c["dueReminder"],
            "email": f"{creator['username']}+{c['shortLink'].lower()}{c['idShort']}@boards.trello.com",
            "externalSource": None,
            "faviconUrl": None,
            "idBoard": self.id,
            "idChecklists": [cl["id"] for cl in c["_checklists"]],
            "idLabels": c["idLabels"],
            "idList": c["idList"],
            "idMemberCreator": c["idMemberCreator"],
            "idMembers": c["idMembers"],
            "idMembersVoted": [],
            "idOrganization": ORG_ID,
            "idShort": c["idShort"],
            "idAttachmentCover": None,
            "labels": c["_labels"],
            "limits": CARD_LIMITS,
            "locationName": None,
            "manualCoverAttachment": False,
            "name": c["name"],
            "nodeId": f"ari:cloud:trello::card/workspace/{ORG_ID}/{c['id']}",
            "originalDesc": "",
            "originalName": "",
            "pinned": False,
            "pos": c["pos"],
            "recurrenceRule": None,
            "shortLink": c["shortLink"],
            "shortUrl": f"https://trello.com/c/{c['shortLink']}",
            "singleInstrumentationId": None,
            "sourceEmail": None,
            "staticMapUrl": None,
            "start": None,
            "subscribed": False,
            "url": f"https://trello.com/c/{c['shortLink']}/{c['idShort']}-{slug(c['name'])}",
            "urlSource": None,
            "urlSourceText": None,
            "cover": {
                "idAttachment": None,
                "color": None,
                "idUploadedBackground": None,
                "size": "normal",
                "brightness": "dark",
                "yPosition": 0.5,
                "idPlugin": None,
            },
            "isTemplate": False,
            "cardRole": None,
            "mirrorSourceId": None,
            "mirrorSourceNodeId": None,
            "attachments": [],
            "pluginData": [],
            "customFieldItems": [],
        }


def card_owner(board: Board, card: dict) -> str:
    return next(k for k, m in board.members.items() if m["id"] == card["idMemberCreator"])


def _status(status: str, warn: int, disable: int) -> dict:
    return {"status": status, "disableAt": disable, "warnAt": warn}


BOARD_LIMITS = {
    "attachments": {"perBoard": _status("ok", 28800, 36000), "perCard": _status("ok", 800, 1000)},
    "boards": {
        "totalMembersPerBoard": _status("ok", 1280, 1600),
        "totalAccessRequestsPerBoard": _status("ok", 3200, 4000),
    },
    "cards": {
        "openPerBoard": _status("ok", 4000, 5000),
        "openPerList": _status("ok", 4000, 5000),
        "totalPerBoard": _status("ok", 1600000, 2000000),
        "totalPerList": _status("ok", 800000, 1000000),
    },
    "checklists": {"perBoard": _status("ok", 1440000, 1800000), "perCard": _status("ok", 400, 500)},
    "checkItems": {"perChecklist": _status("ok", 160, 200)},
    "customFields": {"perBoard": _status("ok", 40, 50)},
    "customFieldOptions": {"perField": _status("ok", 40, 50)},
    "labels": {"perBoard": _status("ok", 800, 1000)},
    "lists": {"openPerBoard": _status("ok", 400, 500), "totalPerBoard": _status("ok", 2400, 3000)},
    "stickers": {"perCard": _status("ok", 56, 70)},
    "reactions": {"perAction": _status("ok", 720, 900), "uniquePerAction": _status("ok", 14, 17)},
}

CARD_LIMITS = {
    "attachments": {"perCard": _status("ok", 800, 1000)},
    "checklists": {"perCard": _status("ok", 400, 500)},
    "stickers": {"perCard": _status("ok", 56, 70)},
}

BOARD_PREFS = {
    "permissionLevel": "org",
    "hideVotes": False,
    "voting": "disabled",
    "comments": "members",
    "invitations": "members",
    "selfJoin": True,
    "cardCovers": True,
    "showCompleteStatus": True,
    "cardCounts": False,
    "isTemplate": False,
    "cardAging": "regular",
    "calendarFeedEnabled": False,
    "hiddenPluginBoardButtons": [],
    "switcherViews": [
        {"viewType": v, "enabled": v in ("Board", "Table")}
        for v in ("Board", "Table", "Calendar", "Dashboard", "Timeline", "Map")
    ],
    "autoArchive": None,
    "background": "green",
    "backgroundColor": "#519839",
    "backgroundDarkColor": None,
    "backgroundImage": None,
    "backgroundDarkImage": None,
    "backgroundImageScaled": None,
    "backgroundTile": False,
    "backgroundBrightness": "dark",
    "sharedSourceUrl": None,
    "backgroundBottomColor": "#519839",
    "backgroundTopColor": "#519839",
    "canBePublic": True,
    "canBeEnterprise": True,
    "canBeOrg": True,
    "canBePrivate": True,
    "canInvite": True,
}

# --------------------------------------------------------------------------------------------------
# config

CONFIG_HEAD = """\
# Demo configuration for `trellosync demo`: maps the example boards shipped in this folder.
# Generated by scripts/make_example.py; edit that script, not this file.
# No `trello:` credentials (the demo reads the JSON exports) and no `database:` (the demo uses a
# temporary database).
"""


def done_lists(spec: dict) -> str:
    done = spec.get("done_list", "Achieved")
    return ", ".join([done] if done == "Done" else [done, "Done"])


# Words that, in an entry's own text, make it evidence for a competency (the mapping's competency_aliases).
ALIASES = {
    "influence": ["push back", "pushed back", "said no", "buy-in", "adopted", "cut the", "roadmap scope"],
    "humility": ["admitted", "asked for help", "underestimated", "my mistake"],
    "technical_depth": [
        "failover",
        "shadow traffic",
        "design doc",
        "idempotency",
        "postgres",
        "latency",
        "schema",
    ],
    "mentoring": ["tomasz", "intern", "interns", "mentor", "mentored", "pairing", "teaching"],
    "delivery": ["shipped", "cutover", "zero data loss", "thank-you", "on time"],
    "communication": ["talk", "incident review", "presented", "postmortem", "write-up"],
}


def config_yaml() -> str:
    lines = [CONFIG_HEAD, "timezone: Europe/London", "", "people:"]
    for key, p in PEOPLE.items():
        lines.append(f"  {key}: {{name: {p['name']}, trello: {p['username']}}}")
    lines.append("")
    lines.append("boards:")
    for spec in BOARDS:
        label_map = {
            spec["label_map"].get(n, n): n
            for n in ("Influence", "Humility", "Technical depth", "Mentoring", "Delivery", "Communication")
        }
        lines += [
            f'  - board: "{spec["name"]}"',
            f"    subjects: [{', '.join(spec.get('subjects', spec['people']))}]",
            f"    lunches:  {{lists: [{spec.get('lunch_list', 'Lunches')}], every_days: {spec.get('step', 14)}}}",
            f"    goals:    {{lists: [Goals], done_lists: [{done_lists(spec)}]}}",
            "    feedback: {best: [Best moment], worst: [Worst moment], focus: [Focus], commitments: [Commitments],",
            "               ignore_comments: ['^(moved|can we (move|push)) to \\d'],   # rescheduling notes",
            "               said_by: subject}   # each person writes their own best, worst and focus items",
            "    polarity: {praise: ['👍', 'praise:'], concern: ['👎', 'concern:']}",
            "    labels:",
        ]
        for board_name, canonical in label_map.items():
            key = slug(canonical).replace("-", "_")
            lines.append(
                f'      "{board_name}": {key}' if " " in board_name else f"      {board_name}: {key}"
            )
        lines.append("    competency_aliases:")
        for key, words in ALIASES.items():
            lines.append(f"      {key}: [{', '.join(words)}]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------


def generate(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    members = make_members(random.Random(20260101))
    summary = {}
    for spec in BOARDS:
        board = Board(spec, members)
        board.build()
        data = board.export()
        assert len(data["actions"]) < 1000, len(data["actions"])
        with open(out / spec["file"], "w", encoding="utf-8", newline="\n") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
        exp = board.expected
        counts: dict[str, int] = {}
        for c in exp["commitments"]:
            counts[c["status"]] = counts.get(c["status"], 0) + 1
        summary[spec["name"]] = {
            "file": spec["file"],
            "actions": len(data["actions"]),
            "cards": len(data["cards"]),
            "lunches": len(exp["lunches"]),
            "commitments_by_status": dict(sorted(counts.items())),
            "goals_by_status": {
                s: sum(g["status"] == s for g in exp["goals"]) for s in ("achieved", "open", "dropped")
            },
            "overdue_goals": [g["title"] for g in exp["goals"] if g["overdue"]],
            "expected": exp,
        }
    (out / "config.yaml").write_text(config_yaml(), encoding="utf-8", newline="\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: trellosync/example)"
    )
    ap.add_argument("--summary", action="store_true", help="print the expected derived figures as JSON")
    args = ap.parse_args(argv)
    summary = generate(args.out)
    if args.summary:
        json.dump(summary, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
