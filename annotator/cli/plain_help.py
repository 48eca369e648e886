"""Help and usage errors that read like a well-kept CLI's, at 80 columns too.

typer's own help labels values with their Python types (``<bool>``, ``<list[str]>``,
``{root}``, ``<int range> [1<=x<=64]``) and passes pydantic's wording through in usage
errors ("Value error, 't2v' is not one of ..."). Every command is made a ``PlainCommand``:
its help is click's plain two-column layout (the description column about 46 characters
wide at 80 columns), each value is named plainly (DIR, FILE, PATH, N, NUMBER, TEXT, or
the choices a|b), and a value typer refuses is reported in one plain sentence
("--mode must be one of i2v, kf2v (not 't2v')").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer._click import exceptions as click_exceptions
from typer.core import TyperArgument, TyperCommand, TyperOption

from annotator.errors import plain_problem

# A list of choices longer than this is named by a word (STATUS), the choices said in the
# help; shorter ones are the metavar itself (i2v|kf2v).
CHOICES_WIDTH = 24


def choices_of(param: TyperArgument | TyperOption) -> list[str]:
    """The values PARAM takes when it is a choice, else none."""
    desc = param.type_descriptor
    if not (desc.is_choice and desc.choices):
        return []
    return [str(getattr(c, "value", c)) for c in desc.choices]


def plain_metavar(param: TyperArgument | TyperOption) -> str:
    """The value's name as help shows it: DIR, FILE, PATH, N, NUMBER, TEXT, a|b|c or a word
    for a long list of choices (the help then lists them)."""
    desc = param.type_descriptor
    choices = choices_of(param)
    if choices:
        joined = "|".join(choices)
        if len(joined) <= CHOICES_WIDTH:
            return joined
        longest = max((o for o in getattr(param, "opts", []) if o.startswith("--")), key=len)
        return str(longest).lstrip("-").split("-")[-1].upper()
    if desc.is_path:
        info = desc.parameter_info
        if getattr(info, "dir_okay", True) and not getattr(info, "file_okay", True):
            return "DIR"
        if getattr(info, "file_okay", True) and not getattr(info, "dir_okay", True):
            return "FILE"
        return "PATH"
    annotation: Any = desc.annotation
    args = getattr(annotation, "__args__", ())
    if desc.is_list and args:
        annotation = args[0]
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return "TEXT"


def _range_text(low: Any, high: Any) -> str | None:
    if low is not None and high is not None:
        return f"{low:g}-{high:g}"
    if low is not None:
        return f"at least {low:g}"
    if high is not None:
        return f"at most {high:g}"
    return None


class PlainArgument(TyperArgument):
    """An argument shown by its metavar alone: ``DIR`` in the usage line and in the help."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _get_number_range_help_str(self) -> str | None:
        return _range_text(getattr(self, "min", None), getattr(self, "max", None))


class PlainOption(TyperOption):
    """An option shown with a plain metavar (N, TEXT, DIR, a|b) and a plain range (1-64)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return self.metavar

    def get_help_record(self, ctx: Any) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        choices = choices_of(self)
        if record is None or not choices or self.metavar == "|".join(choices):
            return record
        names, text = record
        return names, f"{text}  [one of: {', '.join(choices)}]"

    def _get_number_range_help_str(self) -> str | None:
        if self.count:
            return None
        return _range_text(self.min, self.max)


class PlainCommand(TyperCommand):
    """A command whose help and usage errors read plainly (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["rich_markup_mode"] = None  # click's plain layout: two readable columns
        super().__init__(*args, **kwargs)
        for param in self.params:
            _make_plain(param)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click_exceptions.BadParameter as exc:
            sentence = _plain_refusal(exc)
            if sentence is None:
                raise
            raise click_exceptions.UsageError(sentence, ctx) from None


def _make_plain(param: Any) -> None:
    """Give PARAM its plain metavar and the plain display (its class, for the help only)."""
    if isinstance(param, TyperArgument):
        if param.metavar is None:
            path = param.type_descriptor.is_path
            param.metavar = plain_metavar(param) if path else str(param.name).upper()
        # The same parameter, displayed plainly: only display methods differ.
        param.__class__ = PlainArgument
    elif isinstance(param, TyperOption):
        if param.metavar is None and not param.is_flag:
            param.metavar = plain_metavar(param)
        param.__class__ = PlainOption


def _plain_refusal(exc: click_exceptions.BadParameter) -> str | None:
    """One sentence for a value typer (through pydantic) refused, None when not one of those."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if errors is None or exc.param is None:
        return None
    found: Sequence[dict[str, Any]] = errors()
    if not found:
        return None
    first = found[0]
    name = _hint(exc.param)
    given = first.get("input")
    choices = choices_of(exc.param) if isinstance(exc.param, TyperArgument | TyperOption) else []
    if choices:
        return f"{name} must be one of {', '.join(choices)} (not {given!r})"
    said = f"{name} {plain_problem(first)}"
    return f"{said} (not {given!r})" if str(first.get("type", "")).endswith("_parsing") else said


def _hint(param: Any) -> str:
    """The option as typed (its longest name), or the argument's metavar."""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if isinstance(param, TyperOption) and opts:
        return str(max(opts, key=len))
    return str(param.metavar or param.name)
