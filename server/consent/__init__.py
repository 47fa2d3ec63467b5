"""Consents: the versioned texts people agree to, and volunteers' consent to location sharing."""
