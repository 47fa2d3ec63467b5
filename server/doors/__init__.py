"""Door outcomes: what happened at each door (address) of a walk list, per visit."""
