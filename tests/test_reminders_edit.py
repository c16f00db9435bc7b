"""Marking a file reviewed edits only its metadata lines; the rest stays byte for byte."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from switchboard.proposals.errors import InvalidArgument, InvalidEdit
from switchboard.reminders.metadata_edit import MAX_NOTE, _verify, clean_note, mark_reviewed_text

DAY = dt.date(2026, 12, 3)

QUEUE = """# Claims queue: owned by quality.
metadata:
  owner: jonas.keller@nordwerk.example   # the claims lead
  review_every: 90d
  last_reviewed: 2026-09-10   # after the Q3 audit
  reviewers: [david.schulz@nordwerk.example]

id: quality_claims   # referenced by escalation rules
name: Quality & claims
sla: {first_response: 4h, resolution: 5d}
"""


def test_last_reviewed_changes_in_place_and_a_change_note_is_added() -> None:
    edited = mark_reviewed_text(QUEUE, DAY, "Checked the SLA after the Q4 review.")
    old, new = QUEUE.splitlines(), edited.splitlines()
    assert new[4] == "  last_reviewed: 2026-12-03   # after the Q3 audit"
    assert new[6] == '  change_note: "Checked the SLA after the Q4 review."'
    assert new[:4] == old[:4]
    assert new[5] == old[5]
    assert new[7:] == old[6:]  # the blank line and everything after it
    data = yaml.safe_load(edited)
    assert data["metadata"]["last_reviewed"] == DAY
    assert data["metadata"]["change_note"] == "Checked the SLA after the Q4 review."


def test_an_existing_change_note_is_replaced_even_across_lines() -> None:
    text = (
        "metadata:\n"
        "  owner: anna.berger@nordwerk.example\n"
        "  change_note: |\n"
        "    Raised the threshold.\n"
        "    Second line.\n"
        "  review_every: 6m\n"
        "  last_reviewed: '2026-06-01'\n"
        "id: order_desk\n"
    )
    edited = mark_reviewed_text(text, DAY, "Still right.")
    assert edited == (
        "metadata:\n"
        "  owner: anna.berger@nordwerk.example\n"
        '  change_note: "Still right."\n'
        "  review_every: 6m\n"
        "  last_reviewed: 2026-12-03\n"
        "id: order_desk\n"
    )


def test_crlf_files_keep_crlf_and_a_missing_final_newline_is_handled() -> None:
    text = (
        "id: x\r\nmetadata:\r\n    owner: a@b.example\r\n    review_every: 1y\r\n"
        "    last_reviewed: 2026-01-05"
    )
    edited = mark_reviewed_text(text, DAY, "ok")
    assert edited == (
        "id: x\r\nmetadata:\r\n    owner: a@b.example\r\n    review_every: 1y\r\n"
        '    last_reviewed: 2026-12-03\r\n    change_note: "ok"\r\n'
    )


def test_a_one_line_metadata_mapping_becomes_a_block_with_the_same_fields() -> None:
    text = (
        "metadata: {owner: anna.berger@nordwerk.example, review_every: 3m, "
        "last_reviewed: 2026-09-01, reviewers: [a@b.example, c@d.example]}  # short form\n"
        "id: greeting\n"
        "text: {en: Hello}\n"
    )
    edited = mark_reviewed_text(text, DAY, "Wording checked.")
    assert edited == (
        "metadata:  # short form\n"
        "  owner: anna.berger@nordwerk.example\n"
        "  review_every: 3m\n"
        "  last_reviewed: 2026-12-03\n"
        "  reviewers: [a@b.example, c@d.example]\n"
        '  change_note: "Wording checked."\n'
        "id: greeting\n"
        "text: {en: Hello}\n"
    )


def test_notes_are_one_clean_line_and_quoted_safely() -> None:
    note = 'Checked: "quotes", colons: # hashes\nand a second line\t\x07 ü'
    edited = mark_reviewed_text(QUEUE, DAY, note)
    stored = yaml.safe_load(edited)["metadata"]["change_note"]
    assert stored == 'Checked: "quotes", colons: # hashes and a second line ü'
    assert clean_note("  a \n b ") == "a b"


@pytest.mark.parametrize("note", ["", "   \n\t", "x" * (MAX_NOTE + 1)])
def test_empty_or_long_notes_are_refused(note: str) -> None:
    with pytest.raises(InvalidArgument):
        mark_reviewed_text(QUEUE, DAY, note)


def test_a_file_without_metadata_is_refused() -> None:
    with pytest.raises(InvalidEdit, match="no top-level `metadata:`"):
        mark_reviewed_text("id: x\nname: y\n", DAY, "ok")


def test_metadata_spread_over_lines_in_braces_is_refused() -> None:
    text = "metadata: {owner: a@b.example,\n  review_every: 1y, last_reviewed: 2026-01-05}\nid: x\n"
    with pytest.raises(InvalidEdit, match="block"):
        mark_reviewed_text(text, DAY, "ok")


def test_nested_keys_of_the_same_name_are_left_alone() -> None:
    text = (
        "metadata:\n  owner: a@b.example\n  extra:\n    last_reviewed: keep\n"
        "  review_every: 1y\n  last_reviewed: 2026-01-05\n"
    )
    edited = mark_reviewed_text(text, DAY, "ok")
    assert "    last_reviewed: keep\n" in edited
    assert "  last_reviewed: 2026-12-03\n" in edited


def test_the_read_back_check_refuses_any_other_difference() -> None:
    good = mark_reviewed_text(QUEUE, DAY, "ok")
    _verify(QUEUE, good, DAY, "ok")  # passes
    with pytest.raises(InvalidEdit, match="other fields"):
        _verify(QUEUE, good.replace("4h", "8h"), DAY, "ok")
    with pytest.raises(InvalidEdit, match="other fields"):
        _verify(QUEUE, good, DAY, "another note")
    with pytest.raises(InvalidEdit, match="does not read"):
        _verify(QUEUE, good + "id: twice\n", DAY, "ok")
