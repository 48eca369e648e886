"""What tokens cost: the list prices of DashScope's vision models, for estimates and sums.

Prices are yuan per million tokens in the Beijing region, lowest input tier, as the
Bailian console listed them (dashscope-api.md, "Prices": parsed by third parties, not
confirmed against the official price page); the bill is what the console says. A model
not listed here (a local server's, a newer one) has no price: the cost is then unknown,
never zero.
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENCY = "CNY"


@dataclass(frozen=True)
class Price:
    """Yuan per million input and output tokens."""

    input_per_m: float
    output_per_m: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The cost of these tokens, in yuan."""
        return (input_tokens * self.input_per_m + output_tokens * self.output_per_m) / 1e6


# Longest prefix wins: "qwen-vl-max-latest" is priced as "qwen-vl-max".
PRICES: dict[str, Price] = {
    "qwen-vl-max": Price(1.6, 4.0),
    "qwen-vl-plus": Price(0.8, 2.0),
    "qwen3-vl-plus": Price(1.0, 10.0),
    "qwen3-vl-flash": Price(0.15, 1.5),
}


def price_of(model: str) -> Price | None:
    """The list price of MODEL, None when it is not known."""
    name = model.lower()
    matches = [prefix for prefix in PRICES if name.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else None


def cost(model: str, input_tokens: int, output_tokens: int) -> float | None:
    """What these tokens cost with MODEL, in yuan; None when its price is not known."""
    price = price_of(model)
    return None if price is None else price.cost(input_tokens, output_tokens)
