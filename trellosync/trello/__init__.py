"""The Trello API: the session (auth, pacing, the retry loop once), error answers, and the fetch_* reads."""
