"""One-time invite links: opening one on a phone creates the volunteer's account and token."""
