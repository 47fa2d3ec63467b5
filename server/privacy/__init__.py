"""Each person's rights (GDPR art. 15, 17, 20): everything held about a volunteer or a contact,
exported as one JSON document, or erased."""
