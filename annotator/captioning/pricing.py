"""What tokens cost: the list prices of DashScope's vision models, for estimates and sums.

A dated table, per region, in the region's currency per million tokens (input / output,
the lowest input tier): Beijing (cn) in yuan, Singapore (intl) in US dollars, as the
Bailian console listed them on PRICES_DATED (dashscope-api.md, "Prices": parsed by third
parties, not confirmed against the official price page; the Singapore ones from secondary
sources). The bill is what the console says. Any price can be replaced, or a missing one
given, in config.toml::

    [token_prices.cn."qwen-vl-max"]
    input = 1.6      # per million input tokens, in the region's currency
    output = 4.0

A model not listed (a local server's, a newer one) has no price: the cost is then
unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PRICES_DATED = "2026-11-24"
CURRENCY = "CNY"  # Beijing's, the default region's
REGION_CURRENCY = {"cn": "CNY", "intl": "USD"}


@dataclass(frozen=True)
class Price:
    """The region's currency per million input and output tokens."""

    input_per_m: float
    output_per_m: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The cost of these tokens, in the region's currency."""
        return (input_tokens * self.input_per_m + output_tokens * self.output_per_m) / 1e6


# Longest prefix wins: "qwen-vl-max-latest" is priced as "qwen-vl-max".
PRICES: dict[str, dict[str, Price]] = {
    "cn": {
        "qwen-vl-max": Price(1.6, 4.0),
        "qwen-vl-plus": Price(0.8, 2.0),
        "qwen3-vl-plus": Price(1.0, 10.0),
        "qwen3-vl-flash": Price(0.15, 1.5),
    },
    "intl": {
        "qwen-vl-max": Price(0.80, 3.20),
        "qwen-vl-plus": Price(0.21, 0.63),
        "qwen3-vl-plus": Price(0.20, 1.60),
        "qwen3-vl-flash": Price(0.05, 0.40),
    },
}

# config.toml's [token_prices.REGION."MODEL"]: input and output per million tokens.
Overrides = Mapping[str, Mapping[str, Mapping[str, float]]]


def price_of(model: str, region: str = "cn", overrides: Overrides | None = None) -> Price | None:
    """The price of MODEL in REGION (OVERRIDES first, then the list), None when not known."""
    return _lookup(model, region, overrides)[0]


def _lookup(model: str, region: str, overrides: Overrides | None) -> tuple[Price | None, bool]:
    """The price and whether it came from the config file."""
    name = model.lower()
    given = (overrides or {}).get(region, {})
    for key, value in given.items():
        if key.lower() == name:
            return Price(float(value.get("input", 0.0)), float(value.get("output", 0.0))), True
    listed = PRICES.get(region, {})
    matches = [prefix for prefix in listed if name.startswith(prefix)]
    return (listed[max(matches, key=len)] if matches else None), False


def cost(model: str, input_tokens: int, output_tokens: int, region: str = "cn") -> float | None:
    """What these tokens cost with MODEL in REGION; None when its price is not known."""
    price = price_of(model, region)
    return None if price is None else price.cost(input_tokens, output_tokens)


@dataclass(frozen=True)
class CostEstimate:
    """Money for some tokens: AMOUNT in CURRENCY (None: unknown), and what it rests on."""

    amount: float | None
    currency: str
    basis: str

    def words(self) -> str:
        """ "about 0.0123 CNY (qwen-vl-max, cn list price of 2026-11-24)", "no cost (...)" or
        "cost unknown (...)"."""
        if self.amount is None:
            return f"cost unknown ({self.basis})"
        if self.amount == 0:
            return f"no cost ({self.basis})"
        return f"about {self.amount:.4f} {self.currency} ({self.basis})"


def estimate_cost(
    model: str,
    input_tokens: int,
    output_tokens: int,
    *,
    region: str | None,
    overrides: Overrides | None = None,
    recorded: bool = False,
) -> CostEstimate:
    """The money for these tokens. REGION None: a server that is not DashScope (its own
    prices, unknown here); RECORDED: answers replayed from a file, which cost nothing."""
    currency = REGION_CURRENCY.get(region or "cn", CURRENCY)
    if recorded:
        return CostEstimate(0.0, currency, "recorded answers")
    if region is None:
        return CostEstimate(None, currency, "no list price for this server")
    price, from_config = _lookup(model, region, overrides)
    if price is None:
        return CostEstimate(
            None,
            currency,
            f"no list price for {model} in {region}: give one in config.toml under "
            f'[token_prices.{region}."{model}"]',
        )
    source = "config.toml" if from_config else f"{region} list price of {PRICES_DATED}"
    return CostEstimate(price.cost(input_tokens, output_tokens), currency, f"{model}, {source}")
