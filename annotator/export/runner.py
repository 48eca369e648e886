"""One export from start to end: plan, measure, write to temporaries, rename into place."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from annotator.basemodels import get_base_model
from annotator.checks import Finding, Severity
from annotator.counting import counted
from annotator.errors import AnnotatorError
from annotator.export.dashscope import ZipLayout, build_layout
from annotator.export.deployment import deployment_body
from annotator.export.finetune import ServiceCounts, finetune_body, service_counts
from annotator.export.models import ExportFormat, NameEntry, NameMap
from annotator.export.naming import sanitize_stem
from annotator.export.plan import ExportOptions, ExportPlan, ExportUsageError
from annotator.export.staging import Staging, remove_leftovers
from annotator.export.trainers import formula_cells, write_folder
from annotator.export.zipio import estimated_size, write_zip
from annotator.prompts.build import PromptContext
from annotator.userfiles import check_folder
from annotator.workspace import Status, Workspace

NAMES_JSON = "names.json"
FINETUNE_JSON = "finetune.json"
DEPLOYMENT_JSON = "deployment.json"


class ExportRefusedError(AnnotatorError):
    """The checks found problems; nothing was written. ``plan.errors`` lists them."""

    def __init__(self, plan: ExportPlan) -> None:
        super().__init__(
            f"export refused: {counted(len(plan.errors), 'problem')}; nothing was written"
        )
        self.plan = plan


class ExportResult(BaseModel):
    """What an export wrote, and the numbers the user needs next."""

    format: ExportFormat
    outputs: list[str]
    train_count: int
    valid_count: int
    service: ServiceCounts | None = None
    n_epochs: int | None = None
    names: list[NameEntry]
    warnings: list[Finding]
    infos: list[Finding] = []
    left_out: list[Finding] = []
    notes: list[str]


def check_format_options(options: ExportOptions) -> None:
    """Refuse options that do not apply to the chosen format."""
    if options.format is not ExportFormat.DASHSCOPE and (
        options.valid_count or options.valid_status
    ):
        raise ExportUsageError("--valid and --valid-status apply to --format dashscope only")


def write_export(
    ws: Workspace, options: ExportOptions, plan: ExportPlan, context: PromptContext
) -> ExportResult:
    """Write the planned export atomically; ``ExportRefusedError`` if the plan has errors."""
    if plan.errors:
        raise ExportRefusedError(plan)
    if options.format is ExportFormat.DASHSCOPE:
        return _export_dashscope(ws, options, plan, context)
    return _export_folder(ws, options, plan)


def zip_targets(ws: Workspace, output: Path | None) -> tuple[Path, Path]:
    """The training and validation zip paths: OUT when it ends in .zip, else in OUT.

    A zip name of OUT's own gets the same safe stem as a default one (ASCII letters,
    digits, _ and -, as the guide recommends): "数据 集.zip" is written as "<workspace>.zip".
    """
    default_stem = sanitize_stem(ws.root.name)
    if output is not None and output.suffix.lower() == ".zip":
        stem = sanitize_stem(output.stem, fallback=default_stem)
        return output.with_name(f"{stem}.zip"), output.with_name(f"{stem}_valid.zip")
    folder = output if output is not None else ws.root / "export"
    return folder / f"{default_stem}_train.zip", folder / f"{default_stem}_valid.zip"


def folder_target(ws: Workspace, fmt: ExportFormat, output: Path | None) -> Path:
    """Where a trainer's folder goes: OUT, or a sibling of the workspace by default."""
    target = (output or ws.root.parent / f"{ws.root.name}-{fmt.value}").resolve()
    if target.is_relative_to(ws.root):
        inside = target.relative_to(ws.root).parts
        if not any(part.startswith(".") for part in inside):
            raise ExportUsageError(
                f"{target} is inside the workspace: the next scan would take the copied clips "
                "for new samples; give -o a folder outside it"
            )
    return target


def size_findings(ws: Workspace, options: ExportOptions, plan: ExportPlan) -> list[Finding]:
    """The guide's size limits (data.jsonl, the zip) on what the plan would write, judged
    without writing: what `check` adds to the plan, so it says what export will."""
    if options.format is not ExportFormat.DASHSCOPE or not plan.train:
        return []
    mode = ws.info.mode
    train_zip, valid_zip = zip_targets(ws, options.output)
    found = _size_problems(build_layout(plan.train, mode, with_video=True), train_zip.name, options)
    if plan.valid:
        valid = build_layout(plan.valid, mode, with_video=False)
        found += _size_problems(valid, valid_zip.name, options)
    return found


def _size_problems(layout: ZipLayout, name: str, options: ExportOptions) -> list[Finding]:
    problems = []
    if len(layout.jsonl) > options.max_jsonl_bytes:
        problems.append(
            Finding(
                code="jsonl-too-large",
                severity=Severity.ERROR,
                message=f"data.jsonl of {name} would be {len(layout.jsonl):,} bytes; "
                f"the limit is {options.max_jsonl_bytes:,}",
                fix="shorten the prompts or split the set into two datasets",
            )
        )
    size = estimated_size(layout.members)
    if size > options.max_zip_bytes:
        problems.append(
            Finding(
                code="zip-too-large",
                severity=Severity.ERROR,
                message=f"{name} would be about {size:,} bytes; "
                f"the limit is {options.max_zip_bytes:,}",
                fix="use fewer or shorter clips, or re-encode the largest ones",
            )
        )
    return problems


def _export_dashscope(
    ws: Workspace, options: ExportOptions, plan: ExportPlan, context: PromptContext
) -> ExportResult:
    info = ws.info
    model = get_base_model(info.base_model, info.mode)
    train_zip, valid_zip = zip_targets(ws, options.output)
    asked = options.output
    if asked is not None and asked.suffix.lower() == ".zip" and asked.name != train_zip.name:
        plan.notes.append(
            f"zip name {asked.name!r} renamed to {train_zip.name!r}: "
            "use ASCII letters, digits, _ and - only"
        )
    train = build_layout(plan.train, info.mode, with_video=True)
    valid = build_layout(plan.valid, info.mode, with_video=False) if plan.valid else None
    plan.errors.extend(_size_problems(train, train_zip.name, options))
    if valid is not None:
        plan.errors.extend(_size_problems(valid, valid_zip.name, options))
    if plan.errors:
        raise ExportRefusedError(plan)
    body = finetune_body(
        model,
        info.mode,
        len(plan.train),
        len(plan.valid),
        train_zip.name,
        valid_zip.name if valid else None,
    )
    example = next((e for e in plan.train if e.sample.status is Status.ACCEPTED), plan.train[0])
    deployment = deployment_body(context, example.sample, example.prompt)
    folder = train_zip.parent
    check_folder(ws.root, folder)
    _clean_leftovers(
        folder,
        [train_zip.name, valid_zip.name, FINETUNE_JSON, DEPLOYMENT_JSON, NAMES_JSON],
        plan,
    )
    names = train.names + (valid.names if valid else [])
    outputs = [train_zip] + ([valid_zip] if valid else [])
    outputs += [folder / FINETUNE_JSON, folder / NAMES_JSON]
    with Staging() as staging:
        _stage_zip(staging, train_zip, train, options, plan)
        if valid is not None:
            _stage_zip(staging, valid_zip, valid, options, plan)
        staging.write_bytes(folder / FINETUNE_JSON, _json(body, exclude_none=True))
        if deployment is not None:
            staging.write_bytes(folder / DEPLOYMENT_JSON, _json(deployment))
            outputs.append(folder / DEPLOYMENT_JSON)
        else:
            plan.notes.append(
                "deployment.json not written: the workspace has no effect template yet "
                "(annotator mine, then annotator template)"
            )
        name_map = NameMap(format=options.format, workspace=str(ws.root), entries=names)
        staging.write_bytes(folder / NAMES_JSON, _json(name_map))
    return ExportResult(
        format=options.format,
        outputs=[str(p) for p in outputs],
        train_count=len(plan.train),
        valid_count=len(plan.valid),
        service=service_counts(len(plan.train), len(plan.valid)),
        n_epochs=body.hyper_parameters.n_epochs,
        names=names,
        warnings=plan.warnings,
        infos=plan.infos,
        left_out=plan.left_out,
        notes=plan.notes,
    )


def _stage_zip(
    staging: Staging, target: Path, layout: ZipLayout, options: ExportOptions, plan: ExportPlan
) -> None:
    tmp = staging.file(target)
    write_zip(tmp, layout.members)
    # The estimate is an upper bound; this is the last guard before the rename.
    if tmp.stat().st_size > options.max_zip_bytes:
        plan.errors.append(
            Finding(
                code="zip-too-large",
                severity=Severity.ERROR,
                message=f"{target.name} is {tmp.stat().st_size:,} bytes; "
                f"the limit is {options.max_zip_bytes:,}",
                fix="use fewer or shorter clips",
            )
        )
        raise ExportRefusedError(plan)


def _export_folder(ws: Workspace, options: ExportOptions, plan: ExportPlan) -> ExportResult:
    info = ws.info
    model = get_base_model(info.base_model, info.mode)
    # The path as given: folder_target resolves links, which would hide one.
    check_folder(ws.root, options.output or ws.root.parent)
    target = folder_target(ws, options.format, options.output)
    _clean_leftovers(target.parent, [target.name], plan)
    quoted = formula_cells(e.prompt for e in plan.train)
    if options.format is ExportFormat.DIFFSYNTH and quoted:
        plan.notes.append(
            f"prompts that begin with = + - @ or a tab ({quoted}): written to metadata.csv after a "
            "' so that a spreadsheet shows them as text instead of running them as formulas"
        )
    with Staging() as staging:
        staged = staging.folder(target)
        names = write_folder(staged, target, options.format, plan.train, model)
        name_map = NameMap(format=options.format, workspace=str(ws.root), entries=names)
        (staged / NAMES_JSON).write_bytes(_json(name_map))
    return ExportResult(
        format=options.format,
        outputs=[str(target)],
        train_count=len(plan.train),
        valid_count=0,
        names=names,
        warnings=plan.warnings,
        infos=plan.infos,
        left_out=plan.left_out,
        notes=plan.notes,
    )


def _clean_leftovers(folder: Path, names: list[str], plan: ExportPlan) -> None:
    """Remove what killed exports left beside these outputs; a note says how much."""
    removed = remove_leftovers(folder, names)
    if removed:
        plan.notes.append(
            f"removed {counted(len(removed), 'temporary file')} of an interrupted export "
            f"from {folder}"
        )


def _json(model: BaseModel, *, exclude_none: bool = False) -> bytes:
    # pydantic writes UTF-8 as is (no \u escapes), so Chinese prompts stay readable.
    return (model.model_dump_json(indent=2, exclude_none=exclude_none) + "\n").encode("utf-8")
