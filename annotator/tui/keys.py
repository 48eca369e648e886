"""Every key of the review session, in one table: the screens bind from it and the help
screen lists it, so the two cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from textual.binding import Binding, BindingType


class Group(Enum):
    """The screen a key works on; the value is its heading in the help screen."""

    REVIEW = "Review"
    TEMPLATE = "Template"
    ZOOM = "Zoom"
    REJECT = "Reject dialog"
    SEARCH = "Search dialog"
    HELP = "This help"


@dataclass(frozen=True)
class Key:
    """One key (or several, comma-separated, that do the same) and what it does."""

    group: Group
    key: str  # Textual key names: "j", "slash", "ctrl+z", "escape,q"
    action: str  # the screen's action, with its arguments: "edit('subject')"
    label: str  # the footer's word
    description: str  # the help screen's sentence (and the footer's tooltip)
    footer: bool = True  # shown in the footer (the help shows every key)
    priority: bool = False  # works even while an editor has the focus
    name: str = ""  # the binding id is "<group>.<name>"; default: the action's name

    @property
    def id(self) -> str:
        name = self.name or self.action.split("(")[0].removeprefix("app.")
        return f"{self.group.name.lower()}.{name}"

    def binding(self) -> Binding:
        """The Textual binding: the label in the footer, the sentence as its tooltip."""
        return Binding(
            self.key,
            self.action,
            self.label,
            show=self.footer,
            priority=self.priority,
            tooltip=self.description,
            id=self.id,
        )


R, T = Group.REVIEW, Group.TEMPLATE
UNDO, REDO = "Undo the last edit (any sample, or the template)", "Redo what was undone"
KEYS: tuple[Key, ...] = (
    # Help and quit first: the footer is cut at the right on a narrow terminal (80 columns
    # show every footer key; 60 still show these two). The rest is in the help.
    Key(R, "question_mark", "help", "Help", "Every key, and what the marks mean"),
    # The app's quit: it writes every screen's pending edits, then exits.
    Key(R, "q", "app.quit", "Quit", "Quit (everything is saved already)"),
    Key(R, "j", "next", "Next", "Next sample (↓ in the list)"),
    Key(R, "k", "previous", "Prev", "Previous sample (↑ in the list)", footer=False),
    Key(
        R,
        "n",
        "next_to_review",
        "To review",
        "Next sample not yet accepted or rejected (those verify flagged first)",
    ),
    Key(R, "a", "accept", "Accept", "Accept this sample and go to the next to review"),
    Key(R, "x", "reject", "Reject", "Reject this sample, with an optional reason"),
    Key(
        R,
        "s",
        "edit('subject')",
        "Subject",
        "Edit the subject (Enter or Esc when done)",
        footer=False,
        name="subject",
    ),
    Key(
        R,
        "b",
        "edit('background')",
        "Backgr.",
        "Edit the background",
        footer=False,
        name="background",
    ),
    Key(R, "o", "pronoun", "Pronoun", "Switch the pronoun: auto, she, he, it", footer=False),
    Key(R, "u", "undo", "Undo", UNDO),
    Key(R, "ctrl+z", "undo", "Undo", UNDO, footer=False, priority=True, name="undo_ctrl"),
    Key(R, "U", "redo", "Redo", REDO, footer=False),
    Key(R, "ctrl+y", "redo", "Redo", REDO, footer=False, priority=True, name="redo_ctrl"),
    Key(R, "c", "recaption", "Recaption", "Caption this sample again", footer=False),
    Key(
        R,
        "C",
        "caption_missing",
        "Caption",
        "Caption every sample that has no caption",
        footer=False,
    ),
    Key(
        R, "X", "cancel_batch", "Cancel batch", "Stop the caption batch (requests in flight finish)"
    ),
    Key(R, "slash", "search", "Search", "Show the samples that hold a text", footer=False),
    Key(
        R,
        "f",
        "filter",
        "Filter",
        "Filter: all, to review, new, accepted..., flagged by verify",
        footer=False,
    ),
    Key(R, "t", "template", "Template", "The effect template shared by every prompt", footer=False),
    Key(
        R,
        "v",
        "play",
        "Play",
        "Play the clip: in the system's video player, or here when there is none (any key stops)",
    ),
    Key(R, "z", "zoom", "Zoom", "The frames on the whole screen, with more of the clip"),
    Key(
        R,
        "T",
        "trim",
        "Trim",
        "Trim the clip: its first and last frame (source kept)",
        footer=False,
    ),
    Key(R, "escape", "back", "Back", "Clear the search, back to the list", footer=False),
    Key(T, "space", "pick", "Pick/drop", "Pick or drop the phrase"),
    Key(T, "left_square_bracket", "move(-1)", "Up", "Move the phrase up", name="up"),
    Key(T, "right_square_bracket", "move(1)", "Down", "Move the phrase down", name="down"),
    Key(T, "g", "write", "Write", "Write the template from the picked phrases, in this order"),
    Key(T, "e", "edit", "Edit", "Edit the template text"),
    Key(T, "m", "mine", "Mine", "Mine the captions again"),
    Key(T, "escape", "back", "Back", "Back to the review"),
    Key(T, "question_mark", "help", "Help", "Every key"),
    Key(Group.ZOOM, "escape,z,q", "close", "Close", "Back to the review"),
    Key(Group.ZOOM, "v,space", "play", "Play", "Play the clip here, looping (any key stops it)"),
    Key(Group.REJECT, "escape", "cancel", "Cancel", "Keep the sample as it is"),
    Key(Group.SEARCH, "escape", "cancel", "Cancel", "Leave the list as it is"),
    Key(Group.HELP, "escape,question_mark,q", "close", "Close", "Back"),
)


def keys(group: Group) -> list[Key]:
    """The keys of one screen, in the table's order."""
    return [key for key in KEYS if key.group is group]


def bindings(group: Group) -> list[BindingType]:
    """A screen's BINDINGS, built from the table."""
    return [key.binding() for key in keys(group)]
