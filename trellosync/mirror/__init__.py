"""The Trello mirror's input side, pure: Trello ids and timestamps, untrusted JSON checked, and normalized to rows."""
