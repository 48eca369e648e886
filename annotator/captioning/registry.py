"""Find a provider by name, without importing any SDK until one is used.

Built-ins are registered exactly as an outside provider would be: a name and
a ``"module:Class"`` reference (or any callable returning a Provider).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from annotator.captioning.base import Provider
from annotator.errors import UsageError

Factory = Callable[..., Provider]

_REGISTRY: dict[str, str | Factory] = {}


class UnknownProviderError(UsageError, ValueError):
    """A provider name that is not registered; the message lists the known ones."""


class ProviderOptionError(UsageError, ValueError):
    """An option the provider does not take; the message lists the ones it does."""


def register_provider(name: str, factory: str | Factory) -> None:
    """Make ``name`` available; ``factory`` is ``"package.module:Class"`` or a callable."""
    _REGISTRY[name] = factory


def available_providers() -> list[str]:
    """Registered provider names, sorted; imports nothing."""
    return sorted(_REGISTRY)


def _resolve(name: str) -> Factory:
    factory = _REGISTRY[name]
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
        _REGISTRY[name] = factory
    return factory


def _known(name: str) -> str:
    if name not in _REGISTRY:
        known = ", ".join(available_providers())
        raise UnknownProviderError(f"unknown provider {name!r}; known providers: {known}")
    return name


def get_provider(name: str, **options: Any) -> Provider:
    """A new provider called ``name``, configured with ``options``."""
    factory = _resolve(_known(name))
    params = inspect.signature(factory).parameters.values()
    accepted = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ProviderOptionError(
            f"provider {name!r} has no option {', '.join(unknown)}; "
            f"its options are: {', '.join(accepted) or 'none'}"
        )
    missing = [p.name for p in params if p.default is p.empty and p.name not in options]
    missing = [m for m in missing if m in accepted]
    if missing:
        raise ProviderOptionError(f"provider {name!r} needs the option {', '.join(missing)}")
    return factory(**options)


register_provider("dashscope", "annotator.captioning.providers.dashscope_native:DashScopeProvider")
register_provider("openai", "annotator.captioning.providers.openai_compat:OpenAICompatProvider")
register_provider("replay", "annotator.captioning.providers.replay:ReplayProvider")
