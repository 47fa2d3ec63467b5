from __future__ import annotations

from pydantic import BaseModel, Field


class TagOut(BaseModel):
    tag: str
    label_fr: str
    label_en: str


class Vocabulary(BaseModel):
    tags: list[TagOut]
    support_levels: list[int] = Field(
        default=[1, 2, 3, 4, 5], description="a contact's support level: 1 (opposed) to 5 (supporter)"
    )


class VocabularySet(BaseModel):
    tags: list[TagOut] = Field(max_length=200)
    model_config = {"extra": "forbid"}


class VocabularyChange(BaseModel):
    tags: int
    removed: int
