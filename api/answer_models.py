"""The models an answer is made of: what `ask` returns through the CLI and the HTTP API."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Mode(StrEnum):
    """Who the answer is written for."""

    practitioner = "practitioner"
    carer = "carer"
    child = "child"
    trainer = "trainer"


class DutyStrength(StrEnum):
    """Whether a passage states a legal requirement or guidance, as procedures manuals mark it."""

    requirement = "requirement"  # "must", "is required to", "has a duty to"
    guidance = "guidance"  # "should", "may", "is expected to"
    information = "information"  # neither: description, plans, data


class Citation(BaseModel):
    """One numbered source of an answer."""

    n: int = Field(description="The number used in the answer's [n] markers.")
    passage_id: str
    citation: str = Field(description="Document, part, chapter and paragraph, as users quote it.")
    source: str = Field(description="File name the passage was read from.")
    doc_id: str
    title: str
    text: str = Field(description="The passage text the answer's sentences come from.")
    date: str = Field(description="Publication date of the document ('' when unknown).")
    status: str = Field(description="current, superseded, historical or unknown.")
    duty: DutyStrength = DutyStrength.information
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)


class Signpost(BaseModel):
    """Somewhere to get help now."""

    name: str
    contact: str
    when: str


class Safety(BaseModel):
    """The safeguarding check every message passes before retrieval."""

    disclosure: bool = False
    category: str | None = None
    signposts: list[Signpost] = Field(default_factory=list)


class Turn(BaseModel):
    """An earlier turn of the conversation."""

    role: str = Field(description="'user' or 'assistant'.")
    content: str


class Answer(BaseModel):
    """A cited answer. Every sentence of ``answer`` carries [n] markers into ``citations``."""

    id: str = Field(description="Stable id for feedback.")
    question: str
    resolved_question: str = Field(
        default="", description="The question after resolving a follow-up against earlier turns."
    )
    mode: Mode
    answer: str = Field(description="Answer text with numbered citation markers [1], [2] ...")
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool = Field(description="False when the library does not cover the question.")
    notes: list[str] = Field(default_factory=list, description="Currency and conflict notes.")
    safety: Safety = Field(default_factory=Safety)
    follow_ups: list[str] = Field(default_factory=list, description="Suggested next questions.")
    closest: list[Citation] = Field(
        default_factory=list, description="Closest passages when the question is not covered."
    )
    generator: str = Field(default="extractive", description="extractive, or the LLM model used.")
