"""Tour reports: doors knocked and opened, new contacts and topics, at the end of a tour."""
