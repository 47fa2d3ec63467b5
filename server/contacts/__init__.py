"""Contacts: people met at the doors who ticked the consent box, with closed tags only."""
