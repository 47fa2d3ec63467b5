from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from server.tags.vocabulary import MAX_TAGS

PHONE = re.compile(r"^\+?[0-9 .()-]{4,32}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class ContactConsent(BaseModel):
    version: str = Field(max_length=40, description="the consent text's version the person was shown")
    lang: Literal["fr", "en"]
    agreed: bool = Field(description="the box was ticked; false (or absent) stores nothing")
    model_config = {"extra": "forbid"}


class NewContact(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    topics: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=MAX_TAGS, description="keys of the campaign's vocabulary"
    )
    support: int | None = Field(default=None, ge=1, le=5, description="1 (opposed) to 5 (supporter)")
    consent: ContactConsent
    address: int | None = Field(default=None, description="the door where they were met (an address id)")
    client_id: uuid.UUID | None = Field(default=None, description="a resend with the same id is stored once")
    model_config = {"extra": "forbid"}

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is not None and not PHONE.match(v.strip()):
            raise ValueError("a phone number: digits, spaces, dots, dashes, brackets, an optional leading +")
        return v.strip() if v else None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not EMAIL.match(v.strip()):
            raise ValueError("an e-mail address")
        return v.strip().lower() if v else None

    @model_validator(mode="after")
    def _reachable_and_consented(self) -> NewContact:
        if not self.phone and not self.email:
            raise ValueError("give a phone number or an e-mail address")
        if not self.consent.agreed:
            raise ValueError("consent: the consent box was not ticked; no contact is stored without it")
        return self


class Contact(BaseModel):
    id: int
    name: str
    phone: str | None
    email: str | None
    topics: list[str]
    support: int | None
    station: str | None
    added_by: int | None
    consent_version: str
    consent_lang: str
    consented_at: dt.datetime
    created_at: dt.datetime
    last_contact_at: dt.datetime


class ContactCreated(BaseModel):
    contact: Contact
    created: bool


class ContactList(BaseModel):
    since: dt.datetime
    until: dt.datetime
    contacts: list[Contact]


class ConsentText(BaseModel):
    kind: Literal["contact", "location"]
    version: str
    fr: str
    en: str
