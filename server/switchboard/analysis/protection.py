"""The protected classes of inquiries: those that must never get an automatic answer.

Defaults (the product's promise, docs/adr/0001): complaint-type inquiries, claims at or above
the claim threshold, and VIP and key-account customers. Complaint-type means every inquiry
type that is not routine in the revision a proposal starts from, plus `complaint` and
`damage_claim` wherever they exist, so a proposal that makes one of them routine fails the
guarantee instead of quietly leaving the class.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.rules.model import All, Condition, Location, Ruleset, Test

HERE = Location("(analysis defaults)")


@dataclass(frozen=True, slots=True)
class Protection:
    complaint_intents: tuple[str, ...] = ("complaint", "damage_claim")
    claim_intents: tuple[str, ...] = ("damage_claim",)
    amount_fact: str = "entities.amount"
    claim_threshold: float = 5000
    tiers: tuple[str, ...] = ("vip", "key_account")


@dataclass(frozen=True, slots=True)
class ProtectedClass:
    id: str
    title: str
    condition: Condition


def classes(
    ruleset: Ruleset, protection: Protection, base: Ruleset | None = None
) -> list[ProtectedClass]:
    """The classes that apply to `ruleset` (one whose facts do not exist is left out)."""
    found: list[ProtectedClass] = []
    earlier = base or ruleset
    complaint_like = {i.id for i in earlier.intents.values() if not i.routine}
    complaint_like |= set(protection.complaint_intents)
    present = sorted(complaint_like & set(ruleset.intents))
    if present:
        found.append(
            ProtectedClass(
                "complaints",
                "Complaints and other inquiry types that always need a person",
                Test("intent", "in", tuple(present), HERE),
            )
        )
    claims = sorted(set(protection.claim_intents) & set(ruleset.intents))
    if claims and ruleset.facts.get(protection.amount_fact) == "number":
        threshold = protection.claim_threshold
        shown = int(threshold) if float(threshold).is_integer() else threshold
        found.append(
            ProtectedClass(
                "large_claims",
                f"Claims of {shown:,} or more",
                All(
                    (
                        Test("intent", "in", tuple(claims), HERE),
                        Test(protection.amount_fact, "gte", threshold, HERE),
                    )
                ),
            )
        )
    if protection.tiers and "customer.tier" in ruleset.facts:
        found.append(
            ProtectedClass(
                "key_customers",
                "VIP and key-account customers",
                Test("customer.tier", "in", tuple(protection.tiers), HERE),
            )
        )
    return found
