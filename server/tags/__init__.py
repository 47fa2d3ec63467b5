"""A campaign's closed vocabulary of topics, the only words reports and contacts may carry."""
