"""HQ sessions: the HQ page trades the long-lived API token for a short-lived, renewed one."""
